package dev.canopy.provisioning.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.springframework.stereotype.Component;

import dev.canopy.access.MemberCard;
import dev.canopy.access.MembershipFacts;
import dev.canopy.access.RoleCatalog;
import dev.canopy.notifications.MailMessage;
import dev.canopy.notifications.OutgoingMail;

/**
 * Tells the approvers of a run that it waits for them: a mail to each member holding one of its approver roles
 * (not the requester, unless self-approval is allowed), sent when the transaction that opened the approval commits.
 * In-app notifications replace the mail when they exist (issue 17).
 */
@Component
class ApproverNotices {

    /** Approvers are looked for among this many members (by name); larger tenants name roles, not crowds. */
    private static final int MEMBERS = 1000;

    private final MembershipFacts memberships;
    private final RoleCatalog roles;
    private final OutgoingMail mail;
    private final ProvisioningEvents events;

    ApproverNotices(MembershipFacts memberships, RoleCatalog roles, OutgoingMail mail, ProvisioningEvents events) {
        this.events = events;
        this.memberships = memberships;
        this.roles = roles;
        this.mail = mail;
    }

    /** Runs inside the tenant transaction that moved the run to {@code awaiting_approval}. */
    void awaitingApproval(Run run, Deployment deployment, String environment) {
        UUID tenantId = run.tenantId();
        List<UUID> approvers = new ArrayList<>();
        for (MemberCard member : memberships.members(tenantId, MEMBERS)) {
            boolean requester = member.userId().equals(run.requestedBy());
            if ((requester && !run.allowSelfApproval())
                    || !roles.holdsAny(tenantId, member.userId(), deployment.businessUnitId(), run.approverRoles())) {
                continue;
            }
            approvers.add(member.userId());
            mail.sendAfterCommit(new MailMessage(member.email(), "Approval needed: " + run.kind() + " of '"
                    + oneLine(deployment.name()) + "' in " + environment, run.requestedByEmail() + " asks to "
                    + run.kind() + " the deployment '" + deployment.name() + "' (" + deployment.templateName() + " "
                    + deployment.templateVersion() + ") in " + environment + ".\n\nIt needs "
                    + run.requiredApprovals() + " approval(s) before " + run.approvalDeadline()
                    + ". Decide in the console under Approvals, or with POST /api/v1/runs/" + run.id()
                    + "/approvals."));
        }
        events.awaitingApproval(run, deployment, environment, approvers);
    }

    private static String oneLine(String text) {
        return text.replaceAll("[\\r\\n]", " ");
    }
}
