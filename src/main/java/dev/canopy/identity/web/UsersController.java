package dev.canopy.identity.web;

import java.net.URI;
import java.time.Instant;
import java.util.List;
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

import dev.canopy.platform.web.Audited;
import dev.canopy.access.Permissions;
import dev.canopy.identity.internal.Member;
import dev.canopy.identity.internal.MemberDirectory;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.web.Page;
import dev.canopy.platform.web.PageRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * The users of the current tenant.
 * Not {@code @Validated}: Spring MVC validates the constrained parameters itself and reports them as
 * 400 problems, where a method-validation proxy would throw {@code ConstraintViolationException} (a 500).
 */
@RestController
@RequestMapping("/api/v1/users")
class UsersController {

    private final MemberDirectory directory;

    UsersController(MemberDirectory directory) {
        this.directory = directory;
    }

    record UserView(UUID id, String email, String fullName, boolean isActive, List<String> roles, Instant createdAt,
            Instant joinedAt, long version) {

        static UserView of(Member m) {
            return new UserView(m.id(), m.email(), m.fullName(), m.active(), m.roles(), m.createdAt(), m.joinedAt(),
                    m.version());
        }
    }

    record CreateUser(@NotBlank @Email @Size(max = 320) String email,
            @NotBlank @Size(max = 200) String fullName,
            @Nullable @Size(max = 1024) String password,
            @NotEmpty @Size(max = 20) List<@NotBlank @Size(max = 64) String> roles) {
    }

    record UpdateUser(@Nullable @Size(min = 1, max = 200) @Pattern(regexp = ".*\\S.*") String fullName,
            @Nullable Boolean isActive,
            @Nullable @Size(min = 1, max = 20) List<@NotBlank @Size(max = 64) String> roles,
            @NotNull Long version) {
    }

    @GetMapping
    Page<UserView> list(@AuthenticationPrincipal CanopyPrincipal principal,
            @RequestParam(required = false) @Nullable @Size(max = 200) String search,
            @RequestParam(required = false) @Nullable @Size(max = 64) String role,
            @RequestParam(required = false) @Nullable Integer limit,
            @RequestParam(required = false) @Nullable String cursor) {
        principal.require(Permissions.USERS_LIST);
        Page<Member> page = directory.list(principal.tenantId(), blankToNull(search), blankToNull(role),
                PageRequest.of(limit, cursor));
        return new Page<>(page.items().stream().map(UserView::of).toList(), page.nextCursor());
    }

    @Audited(action = "user.added", resource = "user")
    @PostMapping
    ResponseEntity<UserView> create(@AuthenticationPrincipal CanopyPrincipal principal,
            @Valid @RequestBody CreateUser body) {
        principal.require(Permissions.USERS_CREATE);
        Member member = directory.add(principal,
                new MemberDirectory.NewMember(body.email().trim(), body.fullName().trim(), body.password(),
                        body.roles()));
        return ResponseEntity.created(URI.create("/api/v1/users/" + member.id())).body(UserView.of(member));
    }

    @GetMapping("/{id}")
    UserView get(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id) {
        principal.require(Permissions.USERS_READ);
        return UserView.of(directory.get(principal.tenantId(), id));
    }

    @Audited(action = "user.updated", resource = "user")
    @PatchMapping("/{id}")
    UserView update(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id,
            @Valid @RequestBody UpdateUser body) {
        principal.require(Permissions.USERS_UPDATE);
        return UserView.of(directory.change(principal, id, new MemberDirectory.MemberChanges(
                body.fullName(), body.isActive(), body.roles(), body.version())));
    }

    @Audited(action = "user.removed", resource = "user")
    @DeleteMapping("/{id}")
    ResponseEntity<Void> remove(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id) {
        principal.require(Permissions.USERS_DELETE);
        directory.remove(principal.tenantId(), id);
        return ResponseEntity.noContent().build();
    }

    private static @Nullable String blankToNull(@Nullable String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }
}
