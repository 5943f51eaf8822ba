// Validates a CycloneDX 1.5 JSON document with the CycloneDX project's own
// strict validator (@cyclonedx/cyclonedx-library: the specification's JSON
// schemas, additional properties refused, formats checked). Reads the
// document from the file named as the only argument; prints "valid" or the
// schema errors and exits 1.
"use strict";

const fs = require("fs");
const { Spec, Validation } = require("@cyclonedx/cyclonedx-library");

async function main() {
  const text = fs.readFileSync(process.argv[2], "utf8");
  const validator = new Validation.JsonStrictValidator(Spec.Version.v1dot5);
  const errors = await validator.validate(text);
  if (errors === null) {
    console.log("valid");
    return 0;
  }
  console.log(`invalid: ${JSON.stringify(errors, null, 2)}`);
  return 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.log(`cannot validate: ${e.message}`);
    process.exit(2);
  },
);
