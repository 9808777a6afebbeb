function countWords(text) {
  return text.split(/\s+/).filter((word) => word !== "").length;
}

if (require.main === module) {
  const input = require("node:fs").readFileSync(0, "utf8");
  console.log(countWords(input));
}

module.exports = { countWords };
