// Builds the dashboard pages into the plugin's static folder: app.js, app.css, index.html and one font.
// The wheel ships this output, so a Saleor image needs no Node.
import { build } from "esbuild";
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "saypro_invoicing", "static", "saypro_invoicing", "dashboard");
const macaw = join(here, "node_modules", "@saleor", "macaw-ui", "dist");

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

await build({
  entryPoints: [join(here, "src", "main.tsx")],
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020"],
  outfile: join(out, "app.js"),
  define: { "process.env.NODE_ENV": '"production"' },
  legalComments: "none",
  logLevel: "warning",
});

// macaw-ui's stylesheet declares 49 font files (4 MB); the pages use only Inter's variable font.
const keep = { "Inter-roman.var.woff2": "inter-var.woff2" };
const css = readFileSync(join(macaw, "style.css"), "utf8").replace(/@font-face\{[^}]*\}/g, (rule) => {
  const file = /url\(\.\/([^)"']+)\)/.exec(rule)?.[1];
  return file && keep[file] ? rule.replace(`./${file}`, `./${keep[file]}`) : "";
});
for (const [file, name] of Object.entries(keep)) copyFileSync(join(macaw, file), join(out, name));
writeFileSync(join(out, "app.css"), css + readFileSync(join(here, "src", "app.css"), "utf8"));
copyFileSync(join(here, "src", "index.html"), join(out, "index.html"));
console.log(`dashboard pages built into ${out}`);
