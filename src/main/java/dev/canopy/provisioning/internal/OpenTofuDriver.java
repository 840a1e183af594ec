package dev.canopy.provisioning.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.stereotype.Component;

import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.secrets.Secrets;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Runs OpenTofu ({@code tofu}) or Terraform ({@code terraform}), whichever is configured or else found on the
 * {@code PATH}, on the version's {@code *.tf} files in the run's fresh work directory.
 * <p>
 * The plan step runs {@code init}, then {@code plan -out} ({@code -destroy} for a destroy run) and {@code show
 * -json} of that file for the change list; an apply or destroy run keeps the plan file (sealed, with the provider
 * lock file) for its apply step, which applies exactly that file and nothing else. The engine itself refuses a plan
 * made from another state than the current one, so an approved plan cannot be applied after someone changed the
 * deployment. State lives in Canopy: an override file points the engine's {@code http} backend at {@link
 * OpenTofuStateController}, with a password of this step only; plan-only runs may read it but neither lock nor
 * change it. Inputs are variables (a {@code *.auto.tfvars.json} only the engine can read); the cloud account is
 * both Canopy's {@code CANOPY_*} variables and the providers' own ({@code AWS_*}, {@code ARM_*}, {@code GOOGLE_*},
 * {@code KUBE_*}). The {@code -json} UI lines become log lines; outputs are {@code output -json}.
 */
@Component
class OpenTofuDriver implements ProvisioningDriver, ApplicationListener<WebServerInitializedEvent> {

    static final String PLAN_FILE = "canopy.tfplan";
    static final String LOCK_FILE = ".terraform.lock.hcl";
    static final String BACKEND_OVERRIDE = "canopy_backend_override.tf";
    static final String VARIABLES = "canopy.auto.tfvars.json";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final List<String> ENGINES = List.of("tofu", "terraform");
    /**
     * On cancel the engine alone gets SIGTERM: it lets the operations under way finish, starts no others and saves
     * the state, which takes as long as those operations (a database's creation: minutes), hence its own grace
     * period. Killed, it would leave what it made out of the state.
     */
    private static final DriverProcess.Stop ENGINE_STOPS = DriverProcess.Stop.PROCESS;

    private final String configuredCommand;
    private final String configuredStateUrl;
    private final String cliConfig;
    private final Duration cancelGrace;
    private final OpenTofuStates states;
    private final OpenTofuStateSessions sessions;
    private final TenantTransactions scopes;
    private final Secrets secrets;
    private volatile @Nullable String localStateUrl;
    private volatile @Nullable Engine engine;

    /** The engine found: its command, its name and version. */
    record Engine(String command, String name, String version) {
    }

    OpenTofuDriver(@Value("${canopy.drivers.opentofu.command:}") String command,
            @Value("${canopy.drivers.opentofu.state-url:}") String stateUrl,
            @Value("${canopy.drivers.opentofu.cli-config:}") String cliConfig,
            @Value("${canopy.drivers.opentofu.cancel-grace:10m}") Duration cancelGrace, OpenTofuStates states,
            OpenTofuStateSessions sessions, TenantTransactions scopes, Secrets secrets) {
        this.configuredCommand = command.strip();
        this.configuredStateUrl = stateUrl.strip().replaceAll("/+$", "");
        this.cliConfig = cliConfig.strip();
        this.cancelGrace = cancelGrace;
        this.states = states;
        this.sessions = sessions;
        this.scopes = scopes;
        this.secrets = secrets;
    }

    @Override
    public void onApplicationEvent(WebServerInitializedEvent event) {
        if (event.getApplicationContext().getServerNamespace() == null) {
            // the engine runs on this machine and reaches this instance over loopback
            localStateUrl = "http://127.0.0.1:" + event.getWebServer().getPort();
        }
    }

    @Override
    public String key() {
        return "opentofu";
    }

    @Override
    public Availability availability() {
        Optional<Engine> found = engine();
        return found.map(e -> new Availability(true, e.name() + " " + e.version() + " (" + e.command() + ")"))
                .orElseGet(() -> new Availability(false, configuredCommand.isEmpty()
                        ? "needs tofu (OpenTofu) or terraform on the PATH, or CANOPY_OPENTOFU_COMMAND"
                        : "needs " + configuredCommand + " (CANOPY_OPENTOFU_COMMAND), which does not run here"));
    }

    /** The configured engine, else the first of tofu and terraform on the PATH; probed once. */
    Optional<Engine> engine() {
        Engine known = engine;
        if (known == null) {
            List<String> candidates = configuredCommand.isEmpty() ? ENGINES.stream().map(OpenTofuDriver::onPath)
                    .flatMap(Optional::stream).toList() : List.of(configuredCommand);
            for (String candidate : candidates) {
                Optional<Engine> probed = probe(candidate);
                if (probed.isPresent()) {
                    engine = probed.get();
                    return probed;
                }
            }
            return Optional.empty();
        }
        return Optional.of(known);
    }

    private static Optional<String> onPath(String name) {
        String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        return Stream.of(path.split(File.pathSeparator)).filter(d -> !d.isBlank()).map(d -> Path.of(d, name))
                .filter(Files::isExecutable).map(Path::toString).findFirst();
    }

    private static Optional<Engine> probe(String command) {
        try {
            Process process = new ProcessBuilder(command, "version", "-json").redirectErrorStream(false).start();
            byte[] out = process.getInputStream().readAllBytes();
            if (process.waitFor() != 0) {
                return Optional.empty();
            }
            JsonNode version = JSON.readTree(out);
            String name = Path.of(command).getFileName().toString().startsWith("tofu") ? "OpenTofu" : "Terraform";
            return Optional.of(new Engine(command, name, version.path("terraform_version").asString("?")));
        }
        catch (IOException | JacksonException e) {
            return Optional.empty();
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    @Override
    public DriverResult plan(DriverRun run) {
        Engine e = require();
        boolean preview = run.runKind().equals(Run.PLAN);
        prepare(run, true);
        OpenTofuStateSessions.Session session = sessions.open(run.tenantId(), run.deploymentId(), run.runId(),
                !preview);
        try {
            Map<String, String> env = environment(run, session);
            if (!preview) {
                releaseAbandonedLock(run);
            }
            init(e, run, env, preview);
            List<String> argv = new ArrayList<>(List.of(e.command(), "plan", "-input=false", "-json",
                    "-out=" + PLAN_FILE));
            if (run.runKind().equals(Run.DESTROY)) {
                argv.add("-destroy");
            }
            if (preview) {
                argv.add("-lock=false"); // a preview never holds up an apply
            }
            ui(e, run, env, argv, "plan");
            List<DriverResult.Change> changes = OpenTofuJson.changes(show(e, run, env));
            if (!preview) {
                byte[] sealed = secrets.seal(OpenTofuStates.planBinding(run.tenantId(), run.runId()), bundle(run));
                scopes.inTenant(run.tenantId(), () -> {
                    states.deleteUnusedPlans(run.tenantId(), run.deploymentId());
                    states.savePlan(run.tenantId(), run.runId(), run.deploymentId(), sealed);
                });
            }
            return new DriverResult(changes, JsonNodeFactory.instance.objectNode());
        }
        finally {
            end(run, session);
        }
    }

    @Override
    public DriverResult apply(DriverRun run) {
        return applyPlan(run, true);
    }

    @Override
    public DriverResult destroy(DriverRun run) {
        return applyPlan(run, false);
    }

    /** Applies the plan file this run's plan step made: the change that was shown (and approved), nothing else. */
    private DriverResult applyPlan(DriverRun run, boolean outputs) {
        Engine e = require();
        byte[] sealed = scopes.inTenant(run.tenantId(), () -> states.plan(run.tenantId(), run.runId()))
                .orElseThrow(() -> new DriverFailure("This run has no plan to apply (its plan step kept none); "
                        + "request a new run.", false));
        prepare(run, false);
        unbundle(run, secrets.open(OpenTofuStates.planBinding(run.tenantId(), run.runId()), sealed));
        OpenTofuStateSessions.Session session = sessions.open(run.tenantId(), run.deploymentId(), run.runId(), true);
        try {
            Map<String, String> env = environment(run, session);
            releaseAbandonedLock(run);
            init(e, run, env, false);
            List<DriverResult.Change> changes = OpenTofuJson.changes(show(e, run, env));
            Long serialBefore = serial(run);
            try {
                ui(e, run, env, List.of(e.command(), "apply", "-input=false", "-json", "-auto-approve", PLAN_FILE),
                        "apply");
            }
            catch (DriverFailure failure) {
                if (failure.retryable() && !java.util.Objects.equals(serialBefore, serial(run))) {
                    // what this attempt changed is in the state now, and the plan no longer fits it
                    throw new DriverFailure(failure.getMessage() + " (the state changed before it failed; request "
                            + "a new run to plan from there)", false);
                }
                throw failure;
            }
            ObjectNode result = outputs ? OpenTofuJson.outputs(capture(e, run, env, List.of(e.command(), "output",
                    "-json"), "output")) : JsonNodeFactory.instance.objectNode();
            scopes.inTenant(run.tenantId(), () -> states.deletePlan(run.tenantId(), run.runId()));
            return new DriverResult(changes, result);
        }
        finally {
            end(run, session);
        }
    }

    /**
     * Closes the step's session; a lock its engine still held (it was stopped before it could let go: a cancel
     * signals its whole process tree) is released, since the process that held it has ended.
     */
    private void end(DriverRun run, OpenTofuStateSessions.Session session) {
        sessions.close(session);
        if (session.writes() && scopes.inTenant(run.tenantId(), () -> states.releaseLockOf(run.tenantId(),
                run.deploymentId(), run.runId()))) {
            run.log().line("system", "warn", "released the state lock the stopped engine still held");
        }
    }

    private Duration grace(DriverRun run) {
        return run.cancelGrace().compareTo(cancelGrace) > 0 ? run.cancelGrace() : cancelGrace;
    }

    private Engine require() {
        return engine().orElseThrow(() -> new DriverFailure("The OpenTofu driver is not available here: "
                + availability().detail(), false));
    }

    /** The files Canopy adds to the version's: the backend override, and (for a plan) the variables. */
    private void prepare(DriverRun run, boolean variables) {
        Path work = run.workDirectory();
        try (Stream<Path> files = Files.list(work)) {
            if (files.noneMatch(p -> p.getFileName().toString().endsWith(".tf")
                    || p.getFileName().toString().endsWith(".tf.json"))) {
                throw new DriverFailure("The template version has no *.tf files at its root for the OpenTofu "
                        + "driver.", false);
            }
            // an override replaces whatever backend the template names: the state is Canopy's, never elsewhere
            Files.writeString(work.resolve(BACKEND_OVERRIDE), "terraform {\n  backend \"http\" {}\n}\n");
            if (variables) {
                Path file = work.resolve(VARIABLES);
                Files.deleteIfExists(file);
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(
                        "rw-------")));
                Files.writeString(file, JSON.writeValueAsString(run.inputs()));
            }
        }
        catch (IOException e) {
            throw new DriverFailure("Could not prepare the work directory: " + e.getMessage(), true);
        }
    }

    private Map<String, String> environment(DriverRun run, OpenTofuStateSessions.Session session) {
        String base = !configuredStateUrl.isEmpty() ? configuredStateUrl : localStateUrl;
        if (base == null) {
            throw new DriverFailure("The state backend's address is not known yet (no web server started).", true);
        }
        String address = base + OpenTofuStateController.PATH + run.deploymentId();
        Map<String, String> env = new HashMap<>(run.environment());
        env.putAll(ProviderVariables.of(run.environment(), run.workDirectory()));
        env.put("TF_IN_AUTOMATION", "1");
        env.put("TF_INPUT", "0");
        env.put("CHECKPOINT_DISABLE", "1");
        env.put("TF_CLI_CONFIG_FILE", cliConfig.isEmpty() ? emptyCliConfig(run) : cliConfig);
        env.put("TF_HTTP_ADDRESS", address);
        env.put("TF_HTTP_LOCK_ADDRESS", address + "/lock");
        env.put("TF_HTTP_UNLOCK_ADDRESS", address + "/lock");
        env.put("TF_HTTP_LOCK_METHOD", "POST");
        env.put("TF_HTTP_UNLOCK_METHOD", "DELETE");
        env.put("TF_HTTP_USERNAME", session.username());
        env.put("TF_HTTP_PASSWORD", session.password());
        return env;
    }

    /** No CLI configuration of the server's user (credentials for registries, plugin mirrors) reaches a run. */
    private static String emptyCliConfig(DriverRun run) {
        Path file = run.workDirectory().resolve(".canopy-cli.tfrc");
        try {
            if (!Files.exists(file)) {
                Files.writeString(file, "");
            }
        }
        catch (IOException e) {
            throw new DriverFailure("Could not prepare the work directory: " + e.getMessage(), true);
        }
        return file.toString();
    }

    private void releaseAbandonedLock(DriverRun run) {
        if (scopes.inTenant(run.tenantId(), () -> states.releaseAbandonedLock(run.tenantId(), run.deploymentId(),
                run.runId()))) {
            run.log().line("system", "warn", "released the state lock an earlier attempt or an ended run left");
        }
    }

    private @Nullable Long serial(DriverRun run) {
        return scopes.inTenant(run.tenantId(), () -> states.find(run.tenantId(), run.deploymentId()))
                .map(OpenTofuStates.Stored::serial).orElse(null);
    }

    private void init(Engine e, DriverRun run, Map<String, String> env, boolean preview) {
        List<String> argv = new ArrayList<>(List.of(e.command(), "init", "-input=false", "-no-color"));
        if (preview) {
            argv.add("-lock=false");
        }
        int exit = DriverProcess.run(argv, run.workDirectory(), env, run.cancel(), grace(run), ENGINE_STOPS,
                (stream, line) -> {
                    if (!line.isBlank()) {
                        run.log().line(stream, stream.equals("stderr") ? "warn" : "info", line);
                    }
                });
        if (exit != 0) {
            throw new DriverFailure(e.name() + " init exited with " + exit + " (see the log)", true);
        }
    }

    /** Runs a command of {@code -json} UI lines into the log; a non-zero exit fails with its first error. */
    private void ui(Engine e, DriverRun run, Map<String, String> env, List<String> argv, String what) {
        var error = new AtomicReference<String>();
        int exit = DriverProcess.run(argv, run.workDirectory(), env, run.cancel(), grace(run), ENGINE_STOPS,
                (stream, line) -> {
                    OpenTofuJson.UiLine ui = OpenTofuJson.uiLine(line);
                    if (ui.error() != null) {
                        error.compareAndSet(null, ui.error());
                    }
                    run.log().line(stream, stream.equals("stderr") && ui.level().equals("info") ? "warn"
                            : ui.level(), ui.text());
                });
        if (exit != 0) {
            String first = error.get();
            if (first != null && first.startsWith("Saved plan is stale")) {
                throw new DriverFailure("The plan of this run no longer fits the deployment's state (it changed "
                        + "after the plan was made); request a new run.", false);
            }
            throw new DriverFailure(e.name() + " " + what + " exited with " + exit + (first == null ? ""
                    : ": " + first), true);
        }
    }

    private JsonNode show(Engine e, DriverRun run, Map<String, String> env) {
        return capture(e, run, env, List.of(e.command(), "show", "-json", PLAN_FILE), "show");
    }

    /** Runs a command that answers one JSON document on stdout. */
    private JsonNode capture(Engine e, DriverRun run, Map<String, String> env, List<String> argv,
            String what) {
        var out = new StringBuilder();
        int exit = DriverProcess.run(argv, run.workDirectory(), env, run.cancel(), grace(run), ENGINE_STOPS,
                (stream, line) -> {
                    if (stream.equals("stdout")) {
                        out.append(line).append('\n');
                    }
                    else {
                        run.log().line("stderr", "warn", line);
                    }
                });
        if (exit != 0) {
            throw new DriverFailure(e.name() + " " + what + " exited with " + exit, true);
        }
        try {
            return JSON.readTree(out.toString());
        }
        catch (JacksonException ex) {
            throw new DriverFailure(e.name() + " " + what + " -json did not answer JSON", true);
        }
    }

    /** The plan file with the provider lock file it was made with, so the apply step installs the same providers. */
    private static byte[] bundle(DriverRun run) {
        var bytes = new ByteArrayOutputStream();
        try (var zip = new ZipOutputStream(bytes)) {
            for (String name : List.of(PLAN_FILE, LOCK_FILE)) {
                Path file = run.workDirectory().resolve(name);
                if (Files.isRegularFile(file)) {
                    zip.putNextEntry(new ZipEntry(name));
                    zip.write(Files.readAllBytes(file));
                    zip.closeEntry();
                }
            }
        }
        catch (IOException e) {
            throw new DriverFailure("Could not keep the plan file: " + e.getMessage(), true);
        }
        return bytes.toByteArray();
    }

    private static void unbundle(DriverRun run, byte[] bundle) {
        try (var zip = new ZipInputStream(new ByteArrayInputStream(bundle))) {
            ZipEntry entry;
            while ((entry = zip.getNextEntry()) != null) {
                if (entry.getName().equals(PLAN_FILE) || entry.getName().equals(LOCK_FILE)) {
                    Files.write(run.workDirectory().resolve(entry.getName()), zip.readAllBytes());
                }
            }
        }
        catch (IOException e) {
            throw new DriverFailure("Could not restore the plan file: " + e.getMessage(), true);
        }
        if (!Files.isRegularFile(run.workDirectory().resolve(PLAN_FILE))) {
            throw new DriverFailure("The stored plan holds no plan file; request a new run.", false);
        }
    }
}
