package dev.canopy.access;

import static dev.canopy.platform.security.Permission.Level.PLATFORM;
import static dev.canopy.platform.security.Permission.Level.TENANT;

import java.util.List;
import java.util.Optional;

import dev.canopy.platform.security.Permission;

/** The registry: every permission Canopy checks is declared here, once. */
public final class Permissions {

    private static final String TENANT_MANAGEMENT = "Tenant Management";
    private static final String USER_MANAGEMENT = "User Management";
    private static final String ROLE_MANAGEMENT = "Role Management";
    private static final String PERMISSION_MANAGEMENT = "Permission Management";
    private static final String API_KEY_MANAGEMENT = "API Key Management";
    private static final String AUDIT = "Audit";
    private static final String CLOUD_ACCOUNTS = "Cloud Accounts";
    private static final String SINGLE_SIGN_ON = "Single Sign-On";
    private static final String PLATFORM_ADMINISTRATION = "Platform Administration";

    public static final Permission TENANTS_READ = new Permission("tenants:read",
            "See the current tenant and its client tenants", TENANT_MANAGEMENT, TENANT);
    public static final Permission TENANTS_UPDATE = new Permission("tenants:update",
            "Change the current tenant's or a client tenant's name, region and status", TENANT_MANAGEMENT, TENANT);
    public static final Permission TENANTS_CREATE = new Permission("tenants:create",
            "Create client tenants under the current tenant", TENANT_MANAGEMENT, TENANT);
    public static final Permission TENANTS_DELETE = new Permission("tenants:delete",
            "Delete client tenants of the current tenant", TENANT_MANAGEMENT, TENANT);

    public static final Permission USERS_LIST = new Permission("users:list",
            "List the members of the current tenant", USER_MANAGEMENT, TENANT);
    public static final Permission USERS_READ = new Permission("users:read",
            "See a member of the current tenant", USER_MANAGEMENT, TENANT);
    public static final Permission USERS_CREATE = new Permission("users:create",
            "Add users to the current tenant", USER_MANAGEMENT, TENANT);
    public static final Permission USERS_UPDATE = new Permission("users:update",
            "Change members' names, status and roles in the current tenant", USER_MANAGEMENT, TENANT);
    public static final Permission USERS_DELETE = new Permission("users:delete",
            "Remove members from the current tenant", USER_MANAGEMENT, TENANT);

    public static final Permission ROLES_LIST = new Permission("roles:list",
            "List the roles available in the current tenant", ROLE_MANAGEMENT, TENANT);
    public static final Permission PERMISSIONS_LIST = new Permission("permissions:list",
            "List every permission with its description", PERMISSION_MANAGEMENT, TENANT);

    public static final Permission API_KEYS_LIST = new Permission("api_keys:list",
            "List the API keys of the current tenant (never their secrets)", API_KEY_MANAGEMENT, TENANT);
    public static final Permission API_KEYS_CREATE = new Permission("api_keys:create",
            "Create API keys in the current tenant, with at most one's own permissions", API_KEY_MANAGEMENT, TENANT);
    public static final Permission API_KEYS_DELETE = new Permission("api_keys:delete",
            "Revoke API keys of the current tenant", API_KEY_MANAGEMENT, TENANT);
    public static final Permission AUDIT_READ = new Permission("audit:read",
            "Search, export and verify the current tenant's audit log", AUDIT, TENANT);
    public static final Permission SSO_MANAGE = new Permission("sso:manage",
            "Configure and validate the single sign-on of the current tenant and its client tenants",
            SINGLE_SIGN_ON, TENANT);

    public static final Permission CLOUD_ACCOUNTS_LIST = new Permission("cloud_accounts:list",
            "List the cloud accounts of the current tenant (never their credentials)", CLOUD_ACCOUNTS, TENANT);
    public static final Permission CLOUD_ACCOUNTS_READ = new Permission("cloud_accounts:read",
            "See a cloud account's settings (credentials only as configured or not)", CLOUD_ACCOUNTS, TENANT);
    public static final Permission CLOUD_ACCOUNTS_CREATE = new Permission("cloud_accounts:create",
            "Connect cloud accounts to the current tenant", CLOUD_ACCOUNTS, TENANT);
    public static final Permission CLOUD_ACCOUNTS_UPDATE = new Permission("cloud_accounts:update",
            "Change cloud accounts' settings and credentials", CLOUD_ACCOUNTS, TENANT);
    public static final Permission CLOUD_ACCOUNTS_DELETE = new Permission("cloud_accounts:delete",
            "Remove cloud accounts from the current tenant", CLOUD_ACCOUNTS, TENANT);
    public static final Permission CLOUD_ACCOUNTS_TEST = new Permission("cloud_accounts:test",
            "Check that a cloud account's credentials work against the provider", CLOUD_ACCOUNTS, TENANT);

    public static final Permission PLATFORM_TENANTS_MANAGE = new Permission("platform:tenants_manage",
            "See and manage every tenant on the platform", PLATFORM_ADMINISTRATION, PLATFORM);
    public static final Permission PLATFORM_TENANTS_ENTER = new Permission("platform:tenants_enter",
            "Switch into any tenant without being a member", PLATFORM_ADMINISTRATION, PLATFORM);

    public static final Permission PLATFORM_KEYS_MANAGE = new Permission("platform:keys_manage",
            "See and rotate the platform's encryption keys", PLATFORM_ADMINISTRATION, PLATFORM);

    public static final List<Permission> ALL = List.of(TENANTS_READ, TENANTS_UPDATE, TENANTS_CREATE, TENANTS_DELETE,
            USERS_LIST, USERS_READ, USERS_CREATE, USERS_UPDATE, USERS_DELETE, ROLES_LIST, PERMISSIONS_LIST,
            API_KEYS_LIST, API_KEYS_CREATE, API_KEYS_DELETE, AUDIT_READ, CLOUD_ACCOUNTS_LIST, CLOUD_ACCOUNTS_READ,
            CLOUD_ACCOUNTS_CREATE, CLOUD_ACCOUNTS_UPDATE, CLOUD_ACCOUNTS_DELETE, CLOUD_ACCOUNTS_TEST, SSO_MANAGE,
            PLATFORM_TENANTS_MANAGE, PLATFORM_TENANTS_ENTER, PLATFORM_KEYS_MANAGE);

    private Permissions() {
    }

    public static Optional<Permission> named(String name) {
        return ALL.stream().filter(p -> p.name().equals(name)).findFirst();
    }
}
