package dev.canopy.audit.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import tools.jackson.databind.json.JsonMapper;

/** The export formats: one event per line, as JSON (NDJSON) or as RFC 4180 CSV with a header row. */
enum EventFormat {

    NDJSON("application/x-ndjson", "ndjson") {
        @Override
        void header(Writer out) {
        }

        @Override
        void write(Writer out, ChainedEvent event, JsonMapper json) throws IOException {
            out.write(json.writeValueAsString(EventView.of(event)));
            out.write('\n');
        }
    },

    CSV("text/csv", "csv") {
        private static final String[] COLUMNS = { "id", "tenant_id", "seq", "occurred_at", "actor_type", "actor_id",
                "actor_email", "actor_via_tenant_id", "action", "resource_type", "resource_id", "status",
                "http_status", "ip", "user_agent", "request_id", "details", "prev_hash", "hash" };

        @Override
        void header(Writer out) throws IOException {
            row(out, (Object[]) COLUMNS);
        }

        @Override
        void write(Writer out, ChainedEvent e, JsonMapper json) throws IOException {
            row(out, e.id(), e.tenantId(), e.seq(), e.occurredAt(), e.actorType(), e.actorId(), e.actorEmail(),
                    e.actorViaTenantId(), e.action(), e.resourceType(), e.resourceId(), e.status(), e.httpStatus(),
                    e.ip(), e.userAgent(), e.requestId(), e.details(), EventView.HEX.formatHex(e.prevHash()),
                    EventView.HEX.formatHex(e.hash()));
        }
    };

    private final String mediaType;
    private final String extension;

    EventFormat(String mediaType, String extension) {
        this.mediaType = mediaType;
        this.extension = extension;
    }

    String mediaType() {
        return mediaType;
    }

    String extension() {
        return extension;
    }

    abstract void header(Writer out) throws IOException;

    abstract void write(Writer out, ChainedEvent event, JsonMapper json) throws IOException;

    /** Writes one event, for use inside row callbacks. */
    void writeUnchecked(Writer out, ChainedEvent event, JsonMapper json) {
        try {
            write(out, event, json);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One CSV record ending in CRLF; nulls are empty fields. */
    static void row(Writer out, @Nullable Object... values) throws IOException {
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                out.write(',');
            }
            if (values[i] != null) {
                out.write(csvField(Objects.toString(values[i])));
            }
        }
        out.write("\r\n");
    }

    /**
     * RFC 4180: a field with a comma, quote, CR or LF is quoted, and its quotes doubled. A field a spreadsheet
     * would run as a formula (starting with {@code = + - @}, tab or CR: a user agent or resource id chosen by
     * a caller) gets a leading apostrophe, as OWASP advises; the NDJSON export keeps every value exact.
     */
    static String csvField(String raw) {
        String value = !raw.isEmpty() && "=+-@\t\r".indexOf(raw.charAt(0)) >= 0 ? "'" + raw : raw;
        boolean quote = false;
        for (int i = 0; i < value.length() && !quote; i++) {
            char c = value.charAt(i);
            quote = c == ',' || c == '"' || c == '\r' || c == '\n';
        }
        return quote ? '"' + value.replace("\"", "\"\"") + '"' : value;
    }
}
