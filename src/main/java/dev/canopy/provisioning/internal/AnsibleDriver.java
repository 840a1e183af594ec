package dev.canopy.provisioning.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Runs {@code ansible-playbook} against the hosts the playbook names (for templates of this kind, usually
 * {@code localhost} with {@code connection: local}). The version's {@code playbook.yml} applies ({@code --check
 * --diff} plans); {@code destroy.yml} destroys, or {@code playbook.yml} again with {@code canopy_action: destroy}.
 * Inputs are extra-vars from a file only the process can read; events come from the {@code ansible.posix.jsonl}
 * callback, turned into log lines and the change list; outputs are the {@code canopy_outputs} fact a task sets, or
 * the JSON the playbook writes to {@code canopy_outputs_file}.
 */
@Component
class AnsibleDriver implements ProvisioningDriver {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    static final String PLAYBOOK = "playbook.yml";
    static final String DESTROY_PLAYBOOK = "destroy.yml";

    private final String command;
    private volatile Availability availability;

    AnsibleDriver(@Value("${canopy.drivers.ansible.command:ansible-playbook}") String command) {
        this.command = command;
    }

    @Override
    public String key() {
        return "ansible";
    }

    @Override
    public Availability availability() {
        Availability known = availability;
        if (known == null) {
            known = probe();
            availability = known;
        }
        return known;
    }

    private Availability probe() {
        try {
            Process process = new ProcessBuilder(command, "--version").redirectErrorStream(true).start();
            String first = new String(process.getInputStream().readAllBytes()).lines().findFirst().orElse("");
            return process.waitFor() == 0 ? new Availability(true, first.trim())
                    : new Availability(false, command + " --version failed");
        }
        catch (IOException e) {
            return new Availability(false, "needs " + command + " (Debian's ansible package) on the PATH");
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Availability(false, "interrupted while looking for " + command);
        }
    }

    @Override
    public DriverResult plan(DriverRun run) {
        return play(run, PLAYBOOK, "plan", true);
    }

    @Override
    public DriverResult apply(DriverRun run) {
        return play(run, PLAYBOOK, "apply", false);
    }

    @Override
    public DriverResult destroy(DriverRun run) {
        boolean own = Files.isRegularFile(run.workDirectory().resolve(DESTROY_PLAYBOOK));
        return play(run, own ? DESTROY_PLAYBOOK : PLAYBOOK, "destroy", false);
    }

    private DriverResult play(DriverRun run, String playbook, String action, boolean check) {
        if (!availability().available()) {
            throw new DriverFailure("The Ansible driver is not available here: " + availability().detail(), false);
        }
        Path work = run.workDirectory();
        if (!Files.isRegularFile(work.resolve(playbook))) {
            throw new DriverFailure("The template version has no " + playbook + " for the Ansible driver.", false);
        }
        Path outputsFile = work.resolve(".canopy-outputs.json");
        Path vars = writeVars(run, action, outputsFile);
        List<String> argv = new ArrayList<>(List.of(command, "-i", "localhost,", playbook, "-e", "@" + vars));
        if (check) {
            argv.addAll(List.of("--check", "--diff"));
        }
        Map<String, String> env = new HashMap<>(run.environment());
        env.put("ANSIBLE_STDOUT_CALLBACK", "ansible.posix.jsonl");
        env.put("ANSIBLE_NOCOLOR", "1");
        env.put("ANSIBLE_RETRY_FILES_ENABLED", "0");
        env.put("ANSIBLE_HOST_KEY_CHECKING", "0");
        env.put("ANSIBLE_LOCAL_TEMP", work.resolve(".ansible/tmp").toString());
        env.put("ANSIBLE_REMOTE_TEMP", work.resolve(".ansible/tmp").toString());
        env.put("PYTHONUNBUFFERED", "1");
        var events = new Events(run.log());
        int exit;
        try {
            exit = DriverProcess.run(argv, work, env, run.cancel(), run.cancelGrace(), (stream, line) -> {
                if (stream.equals("stdout")) {
                    events.accept(line);
                }
                else {
                    run.log().line("stderr", "warn", line);
                }
            });
        }
        finally {
            delete(vars);
        }
        if (exit != 0) {
            String failure = events.failure.get();
            throw new DriverFailure("ansible-playbook exited with " + exit + (failure == null ? "" : ": " + failure),
                    true);
        }
        return new DriverResult(List.copyOf(events.changes), outputs(events, outputsFile));
    }

    private static Path writeVars(DriverRun run, String action, Path outputsFile) {
        ObjectNode vars = run.inputs().deepCopy();
        vars.put("canopy_action", action);
        vars.put("canopy_deployment_id", run.deploymentId().toString());
        vars.put("canopy_run_id", run.runId().toString());
        vars.put("canopy_outputs_file", outputsFile.toString());
        try {
            Path file = Files.createTempFile(run.workDirectory(), ".canopy-vars-", ".json",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, JSON.writeValueAsString(vars));
            return file;
        }
        catch (IOException e) {
            throw new DriverFailure("Could not write the run's variables: " + e.getMessage(), true);
        }
    }

    private static JsonNode outputs(Events events, Path outputsFile) {
        ObjectNode outputs = JsonNodeFactory.instance.objectNode();
        if (events.factOutputs != null && events.factOutputs.isObject()) {
            outputs.setAll((ObjectNode) events.factOutputs);
        }
        if (Files.isRegularFile(outputsFile)) {
            try {
                JsonNode written = JSON.readTree(Files.readString(outputsFile));
                if (written.isObject()) {
                    outputs.setAll((ObjectNode) written);
                }
            }
            catch (IOException | JacksonException e) {
                throw new DriverFailure("canopy_outputs_file does not hold a JSON object", false);
            }
        }
        return outputs;
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        }
        catch (IOException e) {
            // the work directory goes after the run anyway
        }
    }

    /** Turns the callback's JSON lines into readable log lines, the change list and the outputs fact. */
    private static final class Events {

        private final LineSink log;
        private final List<DriverResult.Change> changes = new ArrayList<>();
        private final AtomicReference<String> failure = new AtomicReference<>();
        private JsonNode factOutputs;

        Events(LineSink log) {
            this.log = log;
        }

        void accept(String line) {
            JsonNode event;
            try {
                event = JSON.readTree(line);
            }
            catch (JacksonException e) {
                log.line("stdout", "info", line);
                return;
            }
            String type = event.path("_event").asString("");
            String task = event.path("task").path("name").asString("");
            switch (type) {
                case "v2_playbook_on_play_start" -> log.line("stdout", "info", "PLAY [" + event.path("play")
                        .path("name").asString("") + "]");
                case "v2_playbook_on_task_start" -> log.line("stdout", "info", "TASK [" + task + "]");
                case "v2_runner_on_ok" -> hosts(event, (host, result) -> {
                    boolean changed = result.path("changed").asBoolean(false);
                    // what a debug task says is what its author wants to read in the log
                    String said = result.path("msg").isString() ? ": " + result.path("msg").asString() : "";
                    log.line("stdout", "info", (changed ? "changed: [" : "ok: [") + host + "] " + task + said);
                    if (changed) {
                        changes.add(change(task, host, result));
                    }
                    JsonNode facts = result.path("ansible_facts").path("canopy_outputs");
                    if (!facts.isMissingNode()) {
                        factOutputs = facts;
                    }
                });
                case "v2_runner_on_failed", "v2_runner_on_unreachable" -> hosts(event, (host, result) -> {
                    String message = result.path("msg").asString(result.path("stderr").asString("failed"));
                    boolean ignored = event.path("ignore_errors").asBoolean(false);
                    log.line("stdout", ignored ? "warn" : "error", "failed: [" + host + "] " + task + ": " + message);
                    if (!ignored) {
                        failure.compareAndSet(null, task + ": " + message);
                    }
                });
                case "v2_runner_on_skipped" -> hosts(event, (host, result) -> log.line("stdout", "info",
                        "skipping: [" + host + "] " + task));
                case "v2_playbook_on_stats" -> event.path("stats").properties().forEach(e -> log.line("stdout",
                        "info", "RECAP " + e.getKey() + ": ok=" + e.getValue().path("ok").asInt() + " changed="
                                + e.getValue().path("changed").asInt() + " failed="
                                + e.getValue().path("failures").asInt() + " skipped="
                                + e.getValue().path("skipped").asInt()));
                default -> {
                }
            }
        }

        private static void hosts(JsonNode event, java.util.function.BiConsumer<String, JsonNode> each) {
            event.path("hosts").properties().forEach(e -> each.accept(e.getKey(), e.getValue()));
        }

        /** A changed task as a change: {@code create} when its diff starts from absent, {@code delete} when it ends there. */
        private static DriverResult.Change change(String task, String host, JsonNode result) {
            JsonNode diff = result.path("diff");
            JsonNode first = diff.isArray() ? diff.path(0) : diff;
            JsonNode before = first.path("before");
            JsonNode after = first.path("after");
            String action = "update";
            if (before.path("state").asString("").equals("absent") || (before.isString() && before.asString().isEmpty())) {
                action = "create";
            }
            else if (after.path("state").asString("").equals("absent")) {
                action = "delete";
            }
            return new DriverResult.Change(action, host + ":" + task,
                    before.isMissingNode() ? JsonNodeFactory.instance.nullNode() : before,
                    after.isMissingNode() ? JsonNodeFactory.instance.nullNode() : after);
        }
    }
}
