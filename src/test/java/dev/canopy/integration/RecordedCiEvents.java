package dev.canopy.integration;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import dev.canopy.platform.events.EventEnvelope;

/** Test-side: the {@code deployment.ci_status_changed} envelopes the application published, as they were wrapped. */
@Component
public class RecordedCiEvents {

    private final List<EventEnvelope> envelopes = new CopyOnWriteArrayList<>();

    @EventListener
    void on(EventEnvelope envelope) {
        if (envelope.type().equals("deployment.ci_status_changed")) {
            envelopes.add(envelope);
        }
    }

    public List<EventEnvelope> about(java.util.UUID deploymentId) {
        return envelopes.stream().filter(e -> e.subject().id().equals(deploymentId)).toList();
    }
}
