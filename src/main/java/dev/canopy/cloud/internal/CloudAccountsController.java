package dev.canopy.cloud.internal;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.canopy.access.Permissions;
import dev.canopy.platform.web.Audited;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.web.ApiException;
import dev.canopy.platform.web.Page;
import dev.canopy.platform.web.PageRequest;

/** The current tenant's cloud accounts. Credentials are write-only: answers say whether they are configured. */
@RestController
@RequestMapping("/api/v1/cloud-accounts")
class CloudAccountsController {

    private final CloudAccountDirectory directory;

    CloudAccountsController(CloudAccountDirectory directory) {
        this.directory = directory;
    }

    /** Credentials as shown: configured, and a masked hint to recognise them. */
    record CredentialsView(boolean configured, String hint) {
    }

    /** The outcome of the last test. */
    record LastTestView(boolean ok, @Nullable String detail, Instant testedAt) {
    }

    record CloudAccountView(UUID id, String name, String provider, Map<String, String> settings, String authType,
            CredentialsView credentials, List<String> environments, Map<String, String> tags,
            @Nullable LastTestView lastTest, Instant createdAt, Instant updatedAt, long version) {

        static CloudAccountView of(CloudAccount a) {
            return new CloudAccountView(a.id(), a.name(), a.provider(), a.settings(), a.authType(),
                    new CredentialsView(true, a.credentialsHint()), a.environments(), a.tags(),
                    a.lastTestAt() == null ? null
                            : new LastTestView(Boolean.TRUE.equals(a.lastTestOk()), a.lastTestDetail(), a.lastTestAt()),
                    a.createdAt(), a.updatedAt(), a.version());
        }
    }

    record CreateCloudAccount(@Nullable String name, @Nullable String provider, @Nullable Map<String, Object> settings,
            @Nullable String authType, @Nullable Map<String, Object> credentials, @Nullable List<String> environments,
            @Nullable Map<String, String> tags) {

        @Override
        public String toString() {
            return "CreateCloudAccount[" + provider + ", " + name + "]";
        }
    }

    record UpdateCloudAccount(@Nullable String name, @Nullable Map<String, Object> settings,
            @Nullable String authType, @Nullable Map<String, Object> credentials, @Nullable List<String> environments,
            @Nullable Map<String, String> tags, @Nullable Long version) {

        @Override
        public String toString() {
            return "UpdateCloudAccount[" + name + "]";
        }
    }

    /** The answer of {@code POST /{id}/test}. */
    record TestView(boolean ok, String detail, Instant testedAt) {
    }

    @Audited(action = "cloud_account.created", resource = "cloud_account")
    @PostMapping
    ResponseEntity<CloudAccountView> create(@AuthenticationPrincipal CanopyPrincipal principal,
            @RequestBody CreateCloudAccount body) {
        principal.require(Permissions.CLOUD_ACCOUNTS_CREATE);
        CloudAccount account = directory.create(principal, new AccountDraft(body.name(), body.provider(),
                body.settings(), body.authType(), body.credentials(), body.environments(), body.tags()));
        return ResponseEntity.created(URI.create("/api/v1/cloud-accounts/" + account.id()))
                .body(CloudAccountView.of(account));
    }

    @GetMapping
    Page<CloudAccountView> list(@AuthenticationPrincipal CanopyPrincipal principal,
            @RequestParam(required = false) @Nullable String provider,
            @RequestParam(required = false) @Nullable Integer limit,
            @RequestParam(required = false) @Nullable String cursor) {
        principal.require(Permissions.CLOUD_ACCOUNTS_LIST);
        Page<CloudAccount> page = directory.list(principal.tenantId(), provider, PageRequest.of(limit, cursor));
        return new Page<>(page.items().stream().map(CloudAccountView::of).toList(), page.nextCursor());
    }

    @GetMapping("/{id}")
    CloudAccountView get(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id) {
        principal.require(Permissions.CLOUD_ACCOUNTS_READ);
        return CloudAccountView.of(directory.get(principal.tenantId(), id));
    }

    @Audited(action = "cloud_account.updated", resource = "cloud_account")
    @PatchMapping("/{id}")
    CloudAccountView update(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id,
            @RequestBody UpdateCloudAccount body) {
        principal.require(Permissions.CLOUD_ACCOUNTS_UPDATE);
        if (body.version() == null) {
            throw ApiException.invalidField("version", "is required (the version you read)");
        }
        return CloudAccountView.of(directory.update(principal, id, new CloudAccountDirectory.Change(body.name(),
                body.settings(), body.authType(), body.credentials(), body.environments(), body.tags()),
                body.version()));
    }

    @Audited(action = "cloud_account.deleted", resource = "cloud_account")
    @DeleteMapping("/{id}")
    ResponseEntity<Void> delete(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id) {
        principal.require(Permissions.CLOUD_ACCOUNTS_DELETE);
        directory.delete(principal.tenantId(), id);
        return ResponseEntity.noContent().build();
    }

    @Audited(action = "cloud_account.tested", resource = "cloud_account", requestTransaction = false)
    @PostMapping("/{id}/test")
    TestView test(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id) {
        principal.require(Permissions.CLOUD_ACCOUNTS_TEST);
        CloudAccountDirectory.Tested tested = directory.test(principal.tenantId(), id);
        return new TestView(tested.ok(), tested.detail(), tested.testedAt());
    }
}
