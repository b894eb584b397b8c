package io.neurostream.ops.dashboard.internal;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The page: {@code GET /} is {@code index.html}, {@code GET /static/<file>} a file, both from a classpath
 * folder. Only plain file names of known types are served (letters, digits, '.', '-', '_', no '/'), so no
 * path can climb out of the folder or list it; anything else is 404. Paths under {@code /api} never come here.
 */
public final class StaticFiles implements HttpHandler {
    /** Content types by file extension: only these files are served. */
    static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "json", "application/json; charset=utf-8",
            "svg", "image/svg+xml",
            "png", "image/png",
            "ico", "image/x-icon",
            "txt", "text/plain; charset=utf-8",
            "LICENSE", "text/plain; charset=utf-8");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}");

    private final String root;
    private final ClassLoader loader;

    /** @param root the classpath folder, e.g. {@code io/neurostream/ops/dashboard/web/} */
    public StaticFiles(String root) {
        this.root = root.endsWith("/") ? root : root + "/";
        this.loader = StaticFiles.class.getClassLoader();
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getPath();
        if (path.equals("/api") || path.startsWith("/api/")) {
            Http.error(exchange, 404, "no such API path: " + path);
            return;
        }
        if (!method.equals("GET") && !method.equals("HEAD")) {
            exchange.getResponseHeaders().set("Allow", "GET, HEAD");
            Http.send(exchange, 405, "text/plain; charset=utf-8", "only GET and HEAD\n".getBytes(StandardCharsets.UTF_8));
            return;
        }
        String name = path.equals("/") || path.equals("/index.html") ? "index.html"
                : path.startsWith("/static/") ? path.substring("/static/".length()) : null;
        String type = name == null || !NAME.matcher(name).matches() ? null : TYPES.get(extension(name));
        byte[] body = null;
        if (type != null) {
            try (InputStream in = loader.getResourceAsStream(root + name)) {
                body = in == null ? null : in.readAllBytes();
            }
        }
        if (body == null) {
            Http.send(exchange, 404, "text/plain; charset=utf-8", ("not found: " + path + "\n").getBytes(StandardCharsets.UTF_8));
            return;
        }
        Http.send(exchange, 200, type, body);
    }

    /** The part after the last '.', or the whole name (uPlot.LICENSE: LICENSE). */
    static String extension(String name) {
        int dot = name.lastIndexOf('.');
        String ext = dot < 0 ? name : name.substring(dot + 1);
        return ext.equals("LICENSE") ? ext : ext.toLowerCase(Locale.ROOT);
    }
}
