// Plain Node.js: node:assert throws (exit code 1) at the first failed check.
const assert = require("node:assert/strict");
const { countWords } = require("./wordcount.js");

assert.equal(countWords("one two three"), 3);
assert.equal(countWords("  spaced   out \n"), 2);
assert.equal(countWords(""), 0);
console.log("all passed");
