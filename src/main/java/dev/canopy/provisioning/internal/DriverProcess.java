package dev.canopy.provisioning.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * Runs an engine's command in the run's work directory with only the environment given (never the server's own,
 * which holds Canopy's settings), streams its lines as they come, and stops it on cancel: SIGTERM to it and its
 * children, SIGKILL to whatever is left after the grace period.
 */
final class DriverProcess {

    private static final Path SETPRIV = Path.of("/usr/bin/setpriv");

    private DriverProcess() {
    }

    /** Who gets SIGTERM on cancel: the process and its children, or the process alone (it stops its children). */
    enum Stop {
        TREE, PROCESS
    }

    /** Runs the command to its end and answers its exit code; lines go to {@code lines(stream, text)}. */
    static int run(List<String> command, Path directory, Map<String, String> environment, CancelSignal cancel,
            Duration grace, BiConsumer<String, String> lines) {
        return run(command, directory, environment, cancel, grace, Stop.TREE, lines);
    }

    /**
     * As {@link #run(List, Path, Map, CancelSignal, Duration, BiConsumer)}, with the cancel's SIGTERM sent as
     * {@code stop} says; whatever is left after the grace period gets SIGKILL either way.
     */
    static int run(List<String> command, Path directory, Map<String, String> environment, CancelSignal cancel,
            Duration grace, Stop stop, BiConsumer<String, String> lines) {
        var builder = new ProcessBuilder(diesWithServer(command)).directory(directory.toFile());
        builder.environment().clear();
        builder.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin"));
        builder.environment().put("LANG", "C.UTF-8");
        builder.environment().put("HOME", directory.toString());
        builder.environment().putAll(environment);
        Process process;
        try {
            process = builder.start();
        }
        catch (IOException e) {
            throw new DriverFailure("Could not start " + command.getFirst() + ": " + e.getMessage(), false);
        }
        Thread out = Thread.ofVirtual().start(() -> pump(process.getInputStream(), "stdout", lines));
        Thread err = Thread.ofVirtual().start(() -> pump(process.getErrorStream(), "stderr", lines));
        cancel.onRaise(() -> Thread.ofVirtual().start(() -> stop(process, grace, stop)));
        try {
            int exit = process.waitFor();
            out.join();
            err.join();
            if (cancel.raised()) {
                throw new DriverFailure.Canceled();
            }
            return exit;
        }
        catch (InterruptedException e) {
            stop(process, Duration.ZERO, Stop.TREE);
            Thread.currentThread().interrupt();
            throw new DriverFailure("interrupted while " + command.getFirst() + " ran", true);
        }
    }

    /**
     * The command, run so that the kernel kills it if this server dies ({@code kill -9} included): a worker that
     * takes the run over must not find the old engine still changing things. (Processes the engine itself started
     * may finish their current step; the engine is gone, so nothing follows it.)
     */
    private static List<String> diesWithServer(List<String> command) {
        if (!Files.isExecutable(SETPRIV)) {
            return command;
        }
        var wrapped = new java.util.ArrayList<>(List.of(SETPRIV.toString(), "--pdeathsig", "KILL", "--"));
        wrapped.addAll(command);
        return wrapped;
    }

    private static void stop(Process process, Duration grace, Stop stop) {
        List<ProcessHandle> tree = process.descendants().toList();
        // SIGTERM through the handle: Process.destroy() also closes the pipes, and an engine that writes its last
        // lines (Terraform saying it stops, then saving its state) dies of SIGPIPE before it could finish
        process.toHandle().destroy();
        if (stop == Stop.TREE) {
            tree.forEach(ProcessHandle::destroy);
        }
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly(); // SIGKILL
            }
        }
        catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    private static void pump(InputStream stream, String name, BiConsumer<String, String> lines) {
        try (var reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                lines.accept(name, line);
            }
        }
        catch (IOException e) {
            // the stream closed under the reader: the process was stopped, and its exit says how
        }
    }
}
