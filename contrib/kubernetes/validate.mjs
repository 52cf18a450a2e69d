// validate.mjs: check every object of Kubernetes manifests against the
// API's schemas, offline, with the npm packages kubernetes-models and
// js-yaml installed in DIR:
//
//   npm install --prefix DIR kubernetes-models@5 js-yaml@4
//   node contrib/kubernetes/validate.mjs DIR contrib/kubernetes/*.yaml
//
// Prints one line per object; exits 1 when any is invalid.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [dir, ...files] = process.argv.slice(2);
const mod = (p) => import(pathToFileURL(join(dir, "node_modules", p)).href);
const yaml = (await mod("js-yaml/index.js")).default;
let bad = 0;

for (const file of files) {
	for (const doc of yaml.loadAll(readFileSync(file, "utf8"))) {
		if (doc === null || doc === undefined)
			continue;
		const where = `${file}: ${doc.kind} ${doc.metadata?.name}`;
		try {
			// "v1" is the core group; "batch/v1" a named one.
			const m = await mod(`kubernetes-models/${doc.apiVersion}/${doc.kind}.js`);
			new m[doc.kind](doc).validate();
			console.log(`${where}: valid`);
		} catch (e) {
			console.log(`${where}: ${e.message}`);
			bad = 1;
		}
	}
}
process.exit(bad);
