package dev.canopy.provisioning.internal;

import java.time.Instant;

/** One stored line of a run's log. */
record LogLine(long seq, Instant at, String stream, String level, String text) {
}
