package dev.canopy.provisioning.internal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Tells a running driver to stop (a cancel request, a lost lease); the driver registers how to stop itself. */
final class CancelSignal {

    private volatile boolean raised;
    private final List<Runnable> handlers = new CopyOnWriteArrayList<>();

    boolean raised() {
        return raised;
    }

    void raise() {
        if (!raised) {
            raised = true;
            handlers.forEach(Runnable::run);
        }
    }

    void onRaise(Runnable handler) {
        handlers.add(handler);
        if (raised) {
            handler.run();
        }
    }
}
