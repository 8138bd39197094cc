// Bundles src/browser-keys.js into ../static/js/dist/browser-keys.js, an ES module the pages
// import. Reproducible: pinned esbuild, no timestamps, no source maps with absolute paths, so
// .ci/run can rebuild it and compare with the committed file.
import { build } from "esbuild";

await build({
  entryPoints: ["src/browser-keys.js"],
  bundle: true,
  format: "esm",
  platform: "browser",
  target: ["chrome109", "firefox115", "safari16"],
  minify: true,
  legalComments: "eof",
  charset: "utf8",
  outfile: "../static/js/dist/browser-keys.js",
  logLevel: "warning",
});
