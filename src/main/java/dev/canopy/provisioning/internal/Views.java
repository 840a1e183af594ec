package dev.canopy.provisioning.internal;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import dev.canopy.provisioning.DeploymentCiStatus;
import tools.jackson.databind.JsonNode;

/** The API's shapes of deployments and runs. */
final class Views {

    private Views() {
    }

    record DeploymentView(UUID id, String name, UUID templateId, String templateName, String templateVersion,
            String driver, UUID environmentId, @Nullable UUID businessUnitId, UUID ownerId, String ownerEmail,
            JsonNode inputs, Map<String, String> tags, @Nullable String costCenter, @Nullable String projectCode,
            String status, @Nullable Instant expiresAt, JsonNode outputs, @Nullable String driftStatus,
            @Nullable JsonNode driftChanges, @Nullable Instant driftCheckedAt, @Nullable String repository,
            @Nullable String branch, @Nullable CiStatusView ciStatus, Instant createdAt, Instant updatedAt,
            long version, @Nullable RunView run) {

        static DeploymentView of(Deployment d, @Nullable RunView run) {
            return new DeploymentView(d.id(), d.name(), d.templateId(), d.templateName(), d.templateVersion(),
                    d.driver(), d.environmentId(), d.businessUnitId(), d.ownerId(), d.ownerEmail(), d.inputs(),
                    d.tags(), d.costCenter(), d.projectCode(), d.status(), d.expiresAt(), d.outputs(), d.driftStatus(),
                    d.driftChanges(), d.driftCheckedAt(), d.repository(), d.branch(),
                    d.ciStatus() == null ? null : CiStatusView.of(d.ciStatus()), d.createdAt(), d.updatedAt(),
                    d.version(), run);
        }
    }

    /** What the last CI report on the deployment's repository and branch said. */
    record CiStatusView(String state, String name, @Nullable String url, @Nullable String headSha,
            Instant updatedAt) {

        static CiStatusView of(DeploymentCiStatus.CiStatus s) {
            return new CiStatusView(s.state(), s.name(), s.url(), s.headSha(), s.updatedAt());
        }
    }

    record ApprovalView(UUID approverId, String approverEmail, String decision, String comment, String planDigest,
            Instant decidedAt) {

        static ApprovalView of(Runs.Approval a) {
            return new ApprovalView(a.approverId(), a.approverEmail(), a.decision(), a.comment(), a.planDigest(),
                    a.decidedAt());
        }
    }

    record StepView(String name, String state, int attempts, Instant startedAt, @Nullable Instant finishedAt) {

        static StepView of(Runs.Step s) {
            return new StepView(s.name(), s.state(), s.attempts(), s.startedAt(), s.finishedAt());
        }
    }

    record RunView(UUID id, UUID deploymentId, String kind, String state, @Nullable UUID requestedBy,
            String requestedByEmail, @Nullable UUID replayOf, int requiredApprovals, List<String> approverRoles,
            boolean allowSelfApproval, @Nullable Instant approvalDeadline, @Nullable JsonNode plan,
            @Nullable String planDigest, @Nullable List<ApprovalView> approvals, @Nullable List<StepView> steps,
            int attempts, @Nullable String error, Instant createdAt, @Nullable Instant startedAt,
            @Nullable Instant finishedAt, Instant updatedAt) {

        static RunView of(Run r, @Nullable List<Runs.Approval> approvals, @Nullable List<Runs.Step> steps) {
            return new RunView(r.id(), r.deploymentId(), r.kind(), r.state().key(), r.requestedBy(),
                    r.requestedByEmail(), r.replayOf(), r.requiredApprovals(), r.approverRoles(),
                    r.allowSelfApproval(), r.approvalDeadline(), r.plan(), r.planDigest(),
                    approvals == null ? null : approvals.stream().map(ApprovalView::of).toList(),
                    steps == null ? null : steps.stream().map(StepView::of).toList(), r.attempts(), r.error(),
                    r.createdAt(), r.startedAt(), r.finishedAt(), r.updatedAt());
        }

        static RunView of(Run r) {
            return of(r, null, null);
        }
    }
}
