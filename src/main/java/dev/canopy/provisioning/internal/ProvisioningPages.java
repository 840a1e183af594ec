package dev.canopy.provisioning.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import dev.canopy.access.Permissions;
import dev.canopy.catalog.InputsForm;
import dev.canopy.catalog.ProvisionableVersion;
import dev.canopy.catalog.TemplateCatalog;
import dev.canopy.platform.console.ConsoleController;
import dev.canopy.platform.console.FormErrors;
import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.web.ApiException;
import dev.canopy.platform.web.Audited;
import dev.canopy.platform.web.Page;
import dev.canopy.platform.web.PageRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Provisioning in the console: the provision page (the version's input form, an environment picker, tags), the
 * deployments list and a deployment's page, a run's page with its live log and the approvers' buttons, and the
 * approvals inbox. Every page goes through the API's use cases, so rules, codes and messages are the same.
 */
@ConsoleController
class ProvisioningPages {

    static final String DEPLOYMENTS = "/deployments";
    private static final int PAGE_SIZE = 25;

    private final DeploymentDirectory deployments;
    private final EnvironmentDirectory environments;
    private final RunLifecycle lifecycle;
    private final Runs runs;
    private final RunLogs logs;
    private final LogStreams streams;
    private final TemplateCatalog catalog;
    private final TenantTransactions scopes;

    ProvisioningPages(DeploymentDirectory deployments, EnvironmentDirectory environments, RunLifecycle lifecycle,
            Runs runs, RunLogs logs, LogStreams streams, TemplateCatalog catalog, TenantTransactions scopes) {
        this.deployments = deployments;
        this.environments = environments;
        this.lifecycle = lifecycle;
        this.runs = runs;
        this.logs = logs;
        this.streams = streams;
        this.catalog = catalog;
        this.scopes = scopes;
    }

    /** What the schema-form fragment of the catalog needs to know of the version it renders. */
    record FormTemplate(UUID id, String name) {
    }

    record FormVersion(String version) {
    }

    /** A row of the deployments list with its environment's name. */
    record Row(Deployment deployment, String environment) {
    }

    @GetMapping(DEPLOYMENTS)
    String list(@AuthenticationPrincipal CanopyPrincipal principal,
            @RequestParam(required = false) @Nullable String search,
            @RequestParam(required = false) @Nullable String environment,
            @RequestParam(required = false) @Nullable String status,
            @RequestParam(required = false) @Nullable String tag,
            @RequestParam(required = false) @Nullable String cursor, Model model) {
        List<Environment> envs = environments.list(principal);
        Map<UUID, String> names = new LinkedHashMap<>();
        envs.forEach(e -> names.put(e.id(), e.name()));
        UUID envId = envs.stream().filter(e -> e.name().equals(environment)).map(Environment::id).findFirst()
                .orElse(null);
        Map<String, String> tags = new LinkedHashMap<>();
        if (tag != null && tag.contains("=")) {
            tags.put(tag.substring(0, tag.indexOf('=')).strip(), tag.substring(tag.indexOf('=') + 1).strip());
        }
        String wanted = status == null || status.isBlank() ? null : status;
        Page<Deployment> page = deployments.list(principal, new Deployments.Filter(blankToNull(search), wanted, envId,
                null, tags, null, null), PageRequest.of(PAGE_SIZE, cursor));
        model.addAttribute("rows", page.items().stream().map(d -> new Row(d, names.getOrDefault(d.environmentId(),
                "?"))).toList());
        model.addAttribute("next", page.nextCursor());
        model.addAttribute("environments", envs);
        model.addAttribute("search", search == null ? "" : search);
        model.addAttribute("environment", environment == null ? "" : environment);
        model.addAttribute("status", status == null ? "" : status);
        model.addAttribute("tag", tag == null ? "" : tag);
        return "console/deployments";
    }

    @GetMapping(DEPLOYMENTS + "/new")
    String provisionForm(@AuthenticationPrincipal CanopyPrincipal principal, @RequestParam String template,
            @RequestParam(required = false) @Nullable String version, Model model) {
        ProvisionableVersion pv = catalog.provisionable(principal, templateId(template), blankToNull(version));
        return provisionForm(principal, pv, Map.of(), new FormErrors(), model);
    }

    @Audited(action = "deployment.requested", resource = "deployment", recordRequest = false)
    @PostMapping(DEPLOYMENTS)
    String provision(@AuthenticationPrincipal CanopyPrincipal principal, @RequestParam Map<String, String> fields,
            Model model, HttpServletResponse response) {
        ProvisionableVersion pv = catalog.provisionable(principal, templateId(fields.getOrDefault("template", "")),
                blankToNull(fields.get("version")));
        InputsForm form = catalog.form(pv, fields);
        var errors = new FormErrors();
        Map<String, String> tags = new LinkedHashMap<>();
        for (String line : fields.getOrDefault("deployment_tags", "").split("\\R")) {
            if (line.isBlank()) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq < 1) {
                errors.field("deployment_tags", "Write one key=value per line.");
            }
            else {
                tags.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
            }
        }
        UUID environment = null;
        try {
            environment = UUID.fromString(fields.getOrDefault("deployment_environment", ""));
        }
        catch (IllegalArgumentException e) {
            errors.field("deployment_environment", "Choose an environment.");
        }
        if (errors.any()) {
            response.setStatus(HttpStatus.UNPROCESSABLE_CONTENT.value());
            return provisionForm(principal, pv, fields, errors, model);
        }
        try {
            DeploymentDirectory.Requested requested = deployments.request(principal, new DeploymentDirectory.Request(
                    fields.get("deployment_name"), pv.templateId(), pv.version(), environment, form.values(), tags,
                    null, null, blankToNull(fields.get("deployment_ttl")), null, null), null);
            return "redirect:/runs/" + requested.run().id();
        }
        catch (ApiException e) {
            if (e.status() == HttpStatus.FORBIDDEN || e.status() == HttpStatus.NOT_FOUND) {
                throw e;
            }
            response.setStatus(e.status() == HttpStatus.BAD_REQUEST ? HttpStatus.UNPROCESSABLE_CONTENT.value()
                    : e.status().value());
            return provisionForm(principal, pv, fields, formErrors(e), model);
        }
    }

    @GetMapping(DEPLOYMENTS + "/{id}")
    String deployment(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable String id, Model model) {
        Deployment d = deployments.visible(principal, uuid(id, "DEPLOYMENT_NOT_FOUND"));
        model.addAttribute("deployment", d);
        model.addAttribute("environment", environments.find(principal.tenantId(), d.environmentId()).name());
        model.addAttribute("runs", scopes.inTenant(d.tenantId(), () -> runs.ofDeployment(d.tenantId(), d.id(), null,
                100)).reversed());
        model.addAttribute("canDestroy", !d.status().equals(Deployment.DESTROYED)
                && !d.status().equals(Deployment.DESTROYING));
        return "console/deployment";
    }

    @Audited(action = "deployment.destroy_requested", resource = "deployment")
    @PostMapping(DEPLOYMENTS + "/{id}/destroy")
    String destroy(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable String id) {
        Run run = deployments.destroy(principal, uuid(id, "DEPLOYMENT_NOT_FOUND"));
        return "redirect:/runs/" + run.id();
    }

    /** Notices a redirect after a decision or a cancel asks for, by key (never text from the query). */
    private static final Map<String, String> NOTICES = Map.of("approved", "You approved this run.", "rejected",
            "You rejected this run.", "canceling", "Cancelling: the run stops shortly.");

    @GetMapping("/runs/{id}")
    String run(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable String id,
            @RequestParam(required = false) @Nullable String notice, Model model) {
        return run(principal, uuid(id, "RUN_NOT_FOUND"), model, notice == null ? null : NOTICES.get(notice));
    }

    /** The run's log as it is written, for the run page's script (EventSource resumes by Last-Event-ID). */
    @GetMapping(path = "/runs/{id}/log-stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @ResponseBody
    SseEmitter logStream(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable String id,
            @RequestHeader(name = "Last-Event-ID", required = false) @Nullable String lastEventId,
            @RequestParam(required = false, defaultValue = "0") long after) {
        Run run = deployments.visibleRun(principal, uuid(id, "RUN_NOT_FOUND"));
        long from = after;
        if (lastEventId != null && lastEventId.strip().matches("\\d{1,18}")) {
            from = Long.parseLong(lastEventId.strip());
        }
        return streams.stream(run.tenantId(), run.id(), from);
    }

    @Audited(action = "run.decided", resource = "run")
    @PostMapping("/runs/{id}/decision")
    String decide(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable String id,
            @RequestParam(required = false) @Nullable String decision,
            @RequestParam(required = false) @Nullable String comment, Model model, HttpServletResponse response) {
        UUID runId = uuid(id, "RUN_NOT_FOUND");
        deployments.visibleRun(principal, runId);
        String text = comment == null ? "" : comment;
        try {
            if (!"approve".equals(decision) && !"reject".equals(decision)) {
                throw ApiException.invalidField("decision", "must be approve or reject");
            }
            if (text.length() > 1000) {
                throw ApiException.invalidField("comment", "must be at most 1000 characters");
            }
            boolean approve = decision.equals("approve");
            scopes.inTenant(principal.tenantId(), () -> lifecycle.decide(principal, runId, approve, text));
            return "redirect:/runs/" + runId + "?notice=" + (approve ? "approved" : "rejected");
        }
        catch (ApiException e) {
            if (e.status() == HttpStatus.NOT_FOUND) {
                throw e;
            }
            response.setStatus(e.status() == HttpStatus.BAD_REQUEST ? HttpStatus.UNPROCESSABLE_CONTENT.value()
                    : e.status().value());
            model.addAttribute("errors", formErrors(e));
            return run(principal, runId, model, null);
        }
    }

    @Audited(action = "run.cancel_requested", resource = "run")
    @PostMapping("/runs/{id}/cancel")
    String cancel(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable String id, Model model,
            HttpServletResponse response) {
        UUID runId = uuid(id, "RUN_NOT_FOUND");
        Run run = deployments.visibleRun(principal, runId);
        deployments.require(principal, Permissions.DEPLOYMENTS_UPDATE, deployments.get(run.tenantId(),
                run.deploymentId()));
        try {
            scopes.inTenant(principal.tenantId(), () -> lifecycle.cancel(principal.tenantId(), runId));
            return "redirect:/runs/" + runId + "?notice=canceling";
        }
        catch (ApiException e) {
            response.setStatus(e.status().value());
            model.addAttribute("errors", formErrors(e));
            return run(principal, runId, model, null);
        }
    }

    @GetMapping("/approvals")
    String approvals(@AuthenticationPrincipal CanopyPrincipal principal, Model model) {
        UUID tenantId = principal.tenantId();
        List<Map<String, Object>> pending = new ArrayList<>();
        scopes.inTenant(tenantId, () -> {
            for (Run r : lifecycle.pendingFor(principal, runs.awaitingApproval(tenantId, null, 200))) {
                pending.add(Map.of("run", r, "deployment", deployments.get(tenantId, r.deploymentId()), "approvals",
                        lifecycle.approvalsOfPlan(r).size()));
            }
        });
        model.addAttribute("pending", pending);
        return "console/approvals";
    }

    private String run(CanopyPrincipal principal, UUID runId, Model model, @Nullable String notice) {
        Run run = deployments.visibleRun(principal, runId);
        Deployment d = deployments.get(run.tenantId(), run.deploymentId());
        List<Runs.Approval> approvals = scopes.inTenant(run.tenantId(), () -> runs.approvals(run.tenantId(), runId));
        List<LogLine> lines = scopes.inTenant(run.tenantId(), () -> logs.after(run.tenantId(), runId, 0, 5000));
        model.addAttribute("run", run);
        model.addAttribute("changes", PlanDiff.of(run.plan()));
        model.addAttribute("deployment", d);
        model.addAttribute("approvals", approvals);
        model.addAttribute("lines", lines);
        model.addAttribute("lastSeq", lines.isEmpty() ? 0 : lines.getLast().seq());
        model.addAttribute("finished", run.state().terminal());
        model.addAttribute("canDecide", scopes.inTenant(run.tenantId(), () -> lifecycle.mayDecide(principal, run)));
        model.addAttribute("canCancel", !run.state().terminal());
        model.addAttribute("notice", notice);
        if (!model.containsAttribute("errors")) {
            model.addAttribute("errors", new FormErrors());
        }
        return "console/run";
    }

    private String provisionForm(CanopyPrincipal principal, ProvisionableVersion pv, Map<String, String> fields,
            FormErrors errors, Model model) {
        model.addAttribute("template", new FormTemplate(pv.templateId(), pv.templateName()));
        model.addAttribute("version", new FormVersion(pv.version()));
        model.addAttribute("form", catalog.form(pv, fields));
        model.addAttribute("environments", environments.list(principal));
        model.addAttribute("fields", fields);
        model.addAttribute("errors", errors);
        model.addAttribute("refresh", false);
        return "console/deployment-new";
    }

    /** The API's field names as the form names them: inputs by their own name, the rest with a prefix. */
    private static FormErrors formErrors(ApiException e) {
        var errors = new FormErrors();
        if (e.errors().isEmpty()) {
            errors.global(e.getMessage() + " (" + e.code() + ")");
        }
        e.errors().forEach(f -> {
            String field = f.field();
            if (field.startsWith("inputs.") && field.indexOf('.', 7) < 0) {
                errors.field(field.substring(7), f.message());
            }
            else if (field.startsWith("inputs")) {
                errors.global(field + " " + f.message());
            }
            else if (field.startsWith("tags")) {
                errors.field("deployment_tags", field.substring(Math.min(field.length(), 5)) + " " + f.message());
            }
            else {
                errors.field(switch (field) {
                    case "name" -> "deployment_name";
                    case "environment_id" -> "deployment_environment";
                    case "ttl" -> "deployment_ttl";
                    default -> field;
                }, f.message());
            }
        });
        return errors;
    }

    private static UUID templateId(String id) {
        return uuid(id, "TEMPLATE_NOT_FOUND");
    }

    private static UUID uuid(String id, String code) {
        try {
            return UUID.fromString(id);
        }
        catch (IllegalArgumentException e) {
            throw ApiException.notFound(code, "Not found.");
        }
    }

    private static @Nullable String blankToNull(@Nullable String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
