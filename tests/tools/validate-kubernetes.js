// Validates Kubernetes objects against the API's schemas (kubernetes-models,
// generated from the Kubernetes OpenAPI). Reads a JSON array of objects on
// stdin (the rendered kustomization), prints one line per object, exits 1
// when any object is invalid or of a kind the schemas do not know.
"use strict";

const fs = require("fs");

const objects = JSON.parse(fs.readFileSync(0, "utf8"));
let failed = false;
for (const obj of objects) {
  const name = `${obj.kind}/${obj.metadata && obj.metadata.name}`;
  const [group, version] = obj.apiVersion.includes("/")
    ? obj.apiVersion.split("/")
    : [null, obj.apiVersion];
  const module = group ? `kubernetes-models/${group}/${version}/${obj.kind}`
                       : `kubernetes-models/${version}/${obj.kind}`;
  let Model;
  try {
    Model = require(module)[obj.kind];
  } catch (e) {
    console.log(`unknown ${name}: no schema for ${obj.apiVersion} ${obj.kind}`);
    failed = true;
    continue;
  }
  try {
    new Model(obj).validate();
    console.log(`valid ${name}`);
  } catch (e) {
    console.log(`invalid ${name}: ${e.message}`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
