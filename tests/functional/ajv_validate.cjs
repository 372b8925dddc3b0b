// Validates instances against the manifest schema with AJV (draft 2020-12), as editors and
// Serverless's tooling do. Usage: node ajv_validate.cjs SCHEMA.json < instances.json
// Prints [{"valid": bool, "errors": [...]}] in the order of the instances.
const fs = require("fs");
const Ajv2020 = require("ajv/dist/2020").default;
const addFormats = require("ajv-formats").default;

const schema = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const instances = JSON.parse(fs.readFileSync(0, "utf8"));
const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false, strictTuples: false });
addFormats(ajv);
const validate = ajv.compile(schema);
const results = instances.map((instance) => {
  const valid = validate(instance);
  return { valid, errors: valid ? [] : validate.errors.map((e) => `${e.instancePath} ${e.message}`) };
});
process.stdout.write(JSON.stringify(results));
