package dev.canopy.provisioning.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import org.springframework.stereotype.Component;

import dev.canopy.catalog.ProvisionableVersion;
import dev.canopy.catalog.TemplateCatalog;
import dev.canopy.cloud.CloudAccountCredentials;
import dev.canopy.platform.db.ChangeBroadcast;
import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.secrets.Secrets;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Executes runs, one attempt per claim, as checkpointed steps: {@code plan}, then (after approval, when the
 * environment wants it) {@code apply} or {@code destroy}. A step that succeeded is never run again; a retry resumes
 * at the step that failed. Every write happens only while this worker still holds the job's lease.
 */
@Component
class RunExecution implements JobHandler, ChangeBroadcast.Listener {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Runs runs;
    private final Deployments deployments;
    private final Environments environments;
    private final RunLogs logs;
    private final RunLifecycle lifecycle;
    private final JobQueue queue;
    private final JobSettings settings;
    private final TenantTransactions scopes;
    private final ChangeBroadcast changes;
    private final TemplateCatalog catalog;
    private final Secrets secrets;
    private final CloudAccountCredentials accounts;
    private final ApproverNotices approvers;
    private final Map<String, ProvisioningDriver> drivers = new ConcurrentHashMap<>();
    private final Map<UUID, CancelSignal> executing = new ConcurrentHashMap<>();

    RunExecution(Runs runs, Deployments deployments, Environments environments, RunLogs logs, RunLifecycle lifecycle,
            JobQueue queue, JobSettings settings, TenantTransactions scopes, ChangeBroadcast changes,
            TemplateCatalog catalog, Secrets secrets, CloudAccountCredentials accounts, ApproverNotices approvers,
            List<ProvisioningDriver> drivers) {
        this.runs = runs;
        this.deployments = deployments;
        this.environments = environments;
        this.logs = logs;
        this.lifecycle = lifecycle;
        this.queue = queue;
        this.settings = settings;
        this.scopes = scopes;
        this.changes = changes;
        this.catalog = catalog;
        this.secrets = secrets;
        this.accounts = accounts;
        this.approvers = approvers;
        drivers.forEach(d -> this.drivers.put(d.key(), d));
        changes.subscribe(this);
    }

    /** The lease was lost mid-write: another worker holds the run now, and this one must write nothing more. */
    private static final class LeaseLost extends RuntimeException {

        LeaseLost() {
            super("lease lost", null, false, false);
        }
    }

    @Override
    public String kind() {
        return Job.RUN;
    }

    @Override
    public void changed(String topic, String key) {
        if (topic.equals(RunLifecycle.CANCEL_TOPIC)) {
            Optional.ofNullable(executing.get(UUID.fromString(key))).ifPresent(CancelSignal::raise);
        }
    }

    @Override
    public void missedChanges() {
        // a missed cancel is seen at the next step boundary, which reads the run's state
    }

    @Override
    public Outcome attempt(Job job, JobLease lease) {
        UUID tenantId = job.tenantId();
        Optional<Run> found = scopes.inTenant(tenantId, () -> runs.find(tenantId, job.subjectId()));
        if (found.isEmpty() || found.get().state().terminal()) {
            return new Outcome.Done();
        }
        Run run = found.get();
        try {
            return switch (run.state()) {
                case CANCEL_REQUESTED, CANCELING -> finish(job, lease, run, RunState.CANCELED, "canceled");
                case AWAITING_APPROVAL -> awaitApproval(job, lease, run);
                case QUEUED, PLANNING -> plan(job, lease, run);
                case APPROVED, APPLYING -> change(job, lease, run);
                default -> new Outcome.Done();
            };
        }
        catch (LeaseLost e) {
            return new Outcome.Done(); // the engine sees the lost lease and leaves the job to its new holder
        }
    }

    @Override
    public void exhausted(Job job, String error) {
        UUID tenantId = job.tenantId();
        scopes.inTenant(tenantId, () -> runs.find(tenantId, job.subjectId()).filter(r -> !r.state().terminal())
                .ifPresent(run -> {
                    if (runs.transition(tenantId, run.id(), nonTerminal(), RunState.DEAD_LETTER,
                            "gave up after " + job.maxAttempts() + " attempts: " + error)) {
                        lifecycle.ended(run, RunState.DEAD_LETTER);
                    }
                }));
    }

    private Outcome awaitApproval(Job job, JobLease lease, Run run) {
        if (run.approvalDeadline() != null && run.approvalDeadline().isAfter(Instant.now())) {
            return new Outcome.WaitUntil(run.approvalDeadline());
        }
        return finish(job, lease, run, RunState.EXPIRED, "no decision within " + IsoDurations.format(
                run.approvalTimeout()));
    }

    private Outcome plan(Job job, JobLease lease, Run run) {
        UUID tenantId = run.tenantId();
        if (!begin(job, lease, run, Set.of(RunState.QUEUED, RunState.PLANNING), RunState.PLANNING)) {
            return attempt(job, lease);
        }
        Optional<DriverResult> planned = step(job, lease, run, "plan", ProvisioningDriver::plan);
        if (planned.isEmpty()) {
            return retryOrEnd(job, lease, run);
        }
        JsonNode plan = JSON.valueToTree(planned.get().changes());
        String digest = JsonDigest.sha256(plan);
        if (run.kind().equals(Run.PLAN)) {
            fenced(job, lease, () -> {
                runs.planned(tenantId, run.id(), plan, digest, null);
                return null;
            });
            return finish(job, lease, run, RunState.SUCCEEDED, null);
        }
        if (run.requiredApprovals() > 0) {
            Instant deadline = Instant.now().plus(run.approvalTimeout());
            fenced(job, lease, () -> {
                runs.planned(tenantId, run.id(), plan, digest, deadline);
                if (runs.transition(tenantId, run.id(), Set.of(RunState.PLANNING), RunState.AWAITING_APPROVAL,
                        null)) {
                    Deployment deployment = deployments.find(tenantId, run.deploymentId()).orElseThrow();
                    approvers.awaitingApproval(runs.find(tenantId, run.id()).orElseThrow(), deployment,
                            environments.find(tenantId, deployment.environmentId()).orElseThrow().name());
                }
                return null;
            });
            return new Outcome.WaitUntil(deadline);
        }
        fenced(job, lease, () -> {
            runs.planned(tenantId, run.id(), plan, digest, null);
            return runs.transition(tenantId, run.id(), Set.of(RunState.PLANNING), RunState.APPLYING, null);
        });
        return change(job, lease, runs(run));
    }

    private Outcome change(Job job, JobLease lease, Run run) {
        UUID tenantId = run.tenantId();
        if (!begin(job, lease, run, Set.of(RunState.APPROVED, RunState.APPLYING), RunState.APPLYING)) {
            return attempt(job, lease);
        }
        boolean destroy = run.kind().equals(Run.DESTROY);
        Optional<DriverResult> done = step(job, lease, run, destroy ? "destroy" : "apply",
                destroy ? ProvisioningDriver::destroy : ProvisioningDriver::apply);
        if (done.isEmpty()) {
            return retryOrEnd(job, lease, run);
        }
        if (!destroy) {
            fenced(job, lease, () -> {
                deployments.setOutputs(tenantId, run.deploymentId(), done.get().outputs());
                return null;
            });
        }
        return finish(job, lease, run, RunState.SUCCEEDED, null);
    }

    /** Moves the run into the state of its next step and counts this attempt; false when its state moved on. */
    private boolean begin(Job job, JobLease lease, Run run, Set<RunState> from, RunState to) {
        return fenced(job, lease, () -> {
            boolean moved = runs.transition(run.tenantId(), run.id(), from, to, null);
            if (moved) {
                runs.attempted(run.tenantId(), run.id(), job.attempts());
            }
            return moved;
        });
    }

    /** After a step that did not succeed: the run's state says whether it was cancelled, failed, or may retry. */
    private Outcome retryOrEnd(Job job, JobLease lease, Run run) {
        Run now = runs(run);
        if (now.state() == RunState.CANCEL_REQUESTED || now.state() == RunState.CANCELING) {
            return finish(job, lease, now, RunState.CANCELED, "canceled while it ran");
        }
        if (now.state() == RunState.FAILED) {
            return new Outcome.Done();
        }
        if (now.state() == RunState.AWAITING_APPROVAL && now.approvalDeadline() != null) {
            return new Outcome.WaitUntil(now.approvalDeadline()); // a new plan to approve
        }
        return new Outcome.Retry(now.error() == null ? "the step failed" : now.error());
    }

    private interface DriverCall {
        DriverResult call(ProvisioningDriver driver, DriverRun run);
    }

    /**
     * Runs one step unless its checkpoint says it succeeded; answers its result, or empty when it failed (the run's
     * error says why, and a failure no retry can mend has already ended the run {@code failed}).
     */
    private Optional<DriverResult> step(Job job, JobLease lease, Run run, String name, DriverCall call) {
        UUID tenantId = run.tenantId();
        Optional<Runs.Step> done = scopes.inTenant(tenantId, () -> runs.steps(tenantId, run.id())).stream()
                .filter(s -> s.name().equals(name) && s.state().equals("succeeded")).findFirst();
        if (done.isPresent()) {
            return Optional.of(resultOf(done.get()));
        }
        Deployment deployment = scopes.inTenant(tenantId, () -> deployments.find(tenantId, run.deploymentId()))
                .orElseThrow();
        fenced(job, lease, () -> {
            runs.stepStarted(tenantId, run.id(), name);
            return null;
        });
        var cancel = new CancelSignal();
        lease.onLost(cancel::raise);
        executing.put(run.id(), cancel);
        ObjectNode inputs = openInputs(deployment);
        Map<String, String> environment = new TreeMap<>();
        List<String> secretValues = new ArrayList<>(secretValues(inputs, deployment.secretPointers()));
        String unusable = null;
        try {
            credentialsOf(deployment, environment, secretValues);
        }
        catch (RuntimeException e) {
            unusable = "The environment's cloud account cannot be used: " + e.getMessage();
        }
        var redactor = new Redactor(secretValues);
        try (var writer = new RunLogWriter(tenantId, run.id(), redactor, logs, scopes, changes)) {
            writer.info("attempt " + job.attempts() + " of " + job.maxAttempts() + ": " + name);
            try {
                if (unusable != null) {
                    throw new DriverFailure(unusable, false);
                }
                if (runs(run).state() == RunState.CANCEL_REQUESTED) {
                    throw new DriverFailure.Canceled();
                }
                DriverResult result;
                // an apply bound by approvals may only make the approved plan's changes (compared as stored)
                String approvedDigest = name.equals("apply") && run.requiredApprovals() > 0 ? run.planDigest() : null;
                DriverRun.ApprovedPlan approved = approvedDigest == null ? null : list -> JsonDigest.sha256(
                        JSON.valueToTree(cleaned(list, redactor))).equals(approvedDigest);
                try (RunWorkspace workspace = RunWorkspace.unpack(archiveOf(deployment))) {
                    result = call.call(driver(deployment), new DriverRun(deployment.id(), run.id(),
                            workspace.directory(), inputs, environment, writer, cancel, settings.cancelGrace(),
                            tenantId, run.kind(), approved));
                }
                DriverResult clean = new DriverResult(cleaned(result.changes(), redactor), redacted(result.outputs(),
                        redactor));
                writer.info(name + " succeeded");
                writer.flush();
                fenced(job, lease, () -> {
                    runs.stepFinished(tenantId, run.id(), name, true, JSON.valueToTree(clean));
                    return null;
                });
                return Optional.of(clean);
            }
            catch (DriverFailure.PlanChanged e) {
                planChanged(job, lease, run, deployment, cleaned(e.changes(), redactor), writer);
                return Optional.empty();
            }
            catch (DriverFailure e) {
                String message = redactor.redact(e.getMessage());
                writer.line("system", "error", name + " failed: " + message);
                writer.flush();
                fenced(job, lease, () -> {
                    runs.stepFinished(tenantId, run.id(), name, false, null);
                    if (e instanceof DriverFailure.Canceled) {
                        runs.transition(tenantId, run.id(), Set.of(RunState.CANCEL_REQUESTED), RunState.CANCELING,
                                null);
                    }
                    else if (!e.retryable()) {
                        if (runs.transition(tenantId, run.id(), nonTerminal(), RunState.FAILED, message)) {
                            lifecycle.ended(run, RunState.FAILED);
                        }
                    }
                    else {
                        runs.noteError(tenantId, run.id(), message);
                    }
                    return null;
                });
                return Optional.empty();
            }
        }
        finally {
            executing.remove(run.id());
        }
    }

    /**
     * The apply found other changes than the approved plan's and made none: the new plan replaces the old and the
     * run waits for approval again; approvals of the old plan's digest no longer count.
     */
    private void planChanged(Job job, JobLease lease, Run run, Deployment deployment,
            List<DriverResult.Change> changes, RunLogWriter writer) {
        UUID tenantId = run.tenantId();
        JsonNode plan = JSON.valueToTree(changes);
        writer.line("system", "warn", "apply stopped: the changes to make are no longer the approved plan's; the new "
                + "plan waits for approval");
        writer.flush();
        Instant deadline = Instant.now().plus(run.approvalTimeout());
        fenced(job, lease, () -> {
            runs.stepFinished(tenantId, run.id(), "apply", false, null);
            runs.planned(tenantId, run.id(), plan, JsonDigest.sha256(plan), deadline);
            if (runs.transition(tenantId, run.id(), Set.of(RunState.APPLYING), RunState.AWAITING_APPROVAL, null)) {
                approvers.awaitingApproval(runs.find(tenantId, run.id()).orElseThrow(), deployment,
                        environments.find(tenantId, deployment.environmentId()).orElseThrow().name());
            }
            return null;
        });
    }

    private static List<DriverResult.Change> cleaned(List<DriverResult.Change> changes, Redactor redactor) {
        return changes.stream().map(c -> new DriverResult.Change(c.action(), redactor.redact(c.address()),
                redacted(c.before(), redactor), redacted(c.after(), redactor))).toList();
    }

    private Outcome finish(Job job, JobLease lease, Run run, RunState state, @org.jspecify.annotations.Nullable
            String error) {
        fenced(job, lease, () -> {
            if (runs.transition(run.tenantId(), run.id(), nonTerminal(), state, error)) {
                lifecycle.ended(run, state);
            }
            return null;
        });
        return new Outcome.Done();
    }

    private <T> T fenced(Job job, JobLease lease, Supplier<T> work) {
        return scopes.inTenant(job.tenantId(), () -> {
            if (lease.lost() || !queue.holds(job.id(), lease.owner)) {
                throw new LeaseLost();
            }
            return work.get();
        });
    }

    private Run runs(Run run) {
        return scopes.inTenant(run.tenantId(), () -> runs.find(run.tenantId(), run.id())).orElseThrow();
    }

    private ProvisioningDriver driver(Deployment deployment) {
        ProvisioningDriver driver = drivers.get(deployment.driver());
        if (driver == null) {
            throw new DriverFailure("No driver '" + deployment.driver() + "' is installed here.", false);
        }
        return driver;
    }

    private byte[] archiveOf(Deployment d) {
        return catalog.archive(new ProvisionableVersion(d.templateOwnerId(), d.templateId(), d.templateName(),
                d.driver(), d.templateVersion(), d.templateDigest(), !d.templateOwnerId().equals(d.tenantId())));
    }

    private ObjectNode openInputs(Deployment d) {
        return (ObjectNode) JSON.readTree(secrets.openText(DeploymentDirectory.inputsBinding(d.tenantId(), d.id()),
                d.sealedInputs()));
    }

    /** The environment's cloud account as process environment ({@code CANOPY_PROVIDER}, settings, credentials). */
    private void credentialsOf(Deployment d, Map<String, String> environment, List<String> secretValues) {
        Environment env = scopes.inTenant(d.tenantId(), () -> environments.find(d.tenantId(), d.environmentId()))
                .orElseThrow();
        if (env.cloudAccountId() == null) {
            return;
        }
        CloudAccountCredentials.Opened account = accounts.open(d.tenantId(), env.cloudAccountId());
        environment.put("CANOPY_PROVIDER", account.provider());
        account.settings().forEach((k, v) -> environment.put("CANOPY_SETTING_" + envName(k), v));
        account.credentials().forEach((k, v) -> {
            String value = v instanceof String s ? s : JSON.writeValueAsString(v);
            environment.put("CANOPY_CREDENTIAL_" + envName(k), value);
            secretValues.add(value);
        });
    }

    private static String envName(String key) {
        return key.toUpperCase().replaceAll("[^A-Z0-9]", "_");
    }

    static List<String> secretValues(ObjectNode inputs, List<String> pointers) {
        List<String> values = new ArrayList<>();
        for (String pointer : pointers) {
            JsonNode value = inputs.at(pointer);
            if (!value.isMissingNode() && !value.isNull()) {
                values.add(value.isString() ? value.asString() : JSON.writeValueAsString(value));
            }
        }
        return values;
    }

    private static JsonNode redacted(JsonNode node, Redactor redactor) {
        return JSON.readTree(redactor.redact(JSON.writeValueAsString(node)));
    }

    private static DriverResult resultOf(Runs.Step step) {
        return step.result() == null ? DriverResult.nothing() : JSON.treeToValue(step.result(), DriverResult.class);
    }

    private static Set<RunState> nonTerminal() {
        return Set.of(RunState.QUEUED, RunState.PLANNING, RunState.AWAITING_APPROVAL, RunState.APPROVED,
                RunState.APPLYING, RunState.CANCEL_REQUESTED, RunState.CANCELING);
    }
}
