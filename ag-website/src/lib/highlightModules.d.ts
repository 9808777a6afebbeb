// highlight.js ships types for its main entry only; its smaller "common languages" build has
// the same API.
declare module 'highlight.js/lib/common' {
  import hljs from 'highlight.js';
  export default hljs;
}
