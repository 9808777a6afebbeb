/**
 * Syntax highlighting for code shown in the browser (submitted files), by highlight.js with its
 * common languages. Its HTML escapes the text itself, so it is safe to insert; a span may cross
 * line ends (block comments, strings), so `highlightLines` closes and reopens spans at each
 * line end to give one self-contained piece of HTML per line (for line numbers, selections and
 * annotations between lines).
 */
import hljs from 'highlight.js/lib/common';

const BY_EXTENSION: Record<string, string> = {
  py: 'python',
  c: 'c',
  h: 'c',
  cc: 'cpp',
  cpp: 'cpp',
  cxx: 'cpp',
  hpp: 'cpp',
  hh: 'cpp',
  java: 'java',
  kt: 'kotlin',
  js: 'javascript',
  mjs: 'javascript',
  ts: 'typescript',
  rs: 'rust',
  go: 'go',
  rb: 'ruby',
  sh: 'bash',
  bash: 'bash',
  sql: 'sql',
  json: 'json',
  yml: 'yaml',
  yaml: 'yaml',
  md: 'markdown',
  html: 'xml',
  xml: 'xml',
  css: 'css',
  cs: 'csharp',
  swift: 'swift',
  r: 'r',
  php: 'php',
  txt: 'plaintext',
};

/** The highlight.js language for a file name, or null when unknown (then: plain text). */
export function languageFor(filename: string): string | null {
  const base = filename.split('/').pop() ?? filename;
  if (base === 'Makefile' || base === 'makefile') return 'makefile';
  const dot = base.lastIndexOf('.');
  if (dot < 0) return null;
  const language = BY_EXTENSION[base.slice(dot + 1).toLowerCase()];
  return language && hljs.getLanguage(language) ? language : null;
}

const escapeHtml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Splits highlight.js HTML at line ends so each line opens and closes its own spans. */
export function splitHighlightedLines(html: string): string[] {
  const lines: string[] = [];
  const open: string[] = [];
  let current = '';
  const tag = /<span[^>]*>|<\/span>|\n/g;
  let last = 0;
  for (let match = tag.exec(html); match; match = tag.exec(html)) {
    current += html.slice(last, match.index);
    last = tag.lastIndex;
    const token = match[0];
    if (token === '\n') {
      lines.push(current + '</span>'.repeat(open.length));
      current = open.join('');
    } else if (token === '</span>') {
      open.pop();
      current += token;
    } else {
      open.push(token);
      current += token;
    }
  }
  lines.push(current + html.slice(last));
  return lines;
}

/** `text` as one piece of HTML per line (a trailing newline gives no extra empty line). */
export function highlightLines(text: string, language: string | null): string[] {
  const body = text.endsWith('\n') ? text.slice(0, -1) : text;
  const html = language ? hljs.highlight(body, { language, ignoreIllegals: true }).value : escapeHtml(body);
  return splitHighlightedLines(html);
}
