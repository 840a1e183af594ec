package dev.canopy.provisioning.internal;

/** Where a driver's lines go: redacted, numbered and stored by the run's log. */
interface LineSink {

    void line(String stream, String level, String text);

    default void info(String text) {
        line("system", "info", text);
    }
}
