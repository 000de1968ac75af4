/**
 * Serves a folder over HTTP on 127.0.0.1 with the MIME types a page with
 * WebAssembly needs (application/wasm). `pnpm example:web` builds the page
 * and serves dist/ here; the browser test serves it the same way.
 *
 *   PORT=8080 pnpm example:web
 */
import { createReadStream, statSync } from "node:fs";
import { type Server, createServer } from "node:http";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".csv": "text/csv; charset=utf-8",
  ".wasm": "application/wasm",
  ".png": "image/png",
  ".svg": "image/svg+xml",
};

/** Starts a static server of `dir` on 127.0.0.1:`port` (0: any free port); resolves with the server and its URL. */
export function serveFolder(dir: string, port: number): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://localhost").pathname);
    const file = normalize(join(dir, path.endsWith("/") ? `${path}index.html` : path));
    let ok = file.startsWith(dir + sep) || file === dir;
    try {
      ok &&= statSync(file).isFile();
    } catch {
      ok = false;
    }
    if (!ok) {
      res.writeHead(404, { "content-type": "text/plain" }).end(`not found: ${path}\n`);
      return;
    }
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream", "cache-control": "no-cache" });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      const address = server.address();
      const actual = typeof address === "object" && address !== null ? address.port : port;
      resolve({ server, url: `http://127.0.0.1:${actual}/` });
    });
  });
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dist = join(fileURLToPath(new URL("..", import.meta.url)), "dist");
  const { url } = await serveFolder(dist, Number(process.env.PORT ?? 5173));
  console.log(`the page: ${url}  (serving ${dist}; Ctrl-C stops)`);
}
