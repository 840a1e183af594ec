package dev.canopy.audit.internal;

import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

import dev.canopy.audit.AuditRecord;
import dev.canopy.platform.db.TenantTransactions;
import tools.jackson.databind.json.JsonMapper;

/**
 * A chain's matching events as a file download, for the API and the console alike: streamed in chain order,
 * {@value AuditEvents#FETCH_SIZE} rows at a time and written as they come, so memory stays flat whatever the
 * size of the log.
 */
@Component
class AuditDownloads {

    private final AuditEvents events;
    private final TenantTransactions scopes;
    private final JsonMapper json;

    AuditDownloads(AuditEvents events, TenantTransactions scopes, JsonMapper json) {
        this.events = events;
        this.scopes = scopes;
        this.json = json;
    }

    ResponseEntity<StreamingResponseBody> of(UUID chain, EventFormat format, AuditFilter filter) {
        StreamingResponseBody body = out -> {
            Writer writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 64 * 1024);
            format.header(writer);
            scopes.inTenant(chain, () -> events.stream(chain, filter,
                    event -> format.writeUnchecked(writer, event, json)));
            writer.flush();
        };
        String name = "audit-events-" + (AuditRecord.PLATFORM.equals(chain) ? "platform" : chain) + "-"
                + Instant.now().truncatedTo(ChronoUnit.SECONDS).toString().replace(":", "") + "." + format.extension();
        return ResponseEntity.ok()
                .contentType(new MediaType(MediaType.parseMediaType(format.mediaType()), StandardCharsets.UTF_8))
                .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment().filename(name).build().toString())
                .body(body);
    }
}
