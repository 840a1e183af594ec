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
    private static final String GROUP_MANAGEMENT = "Group Management";
    private static final String PERMISSION_MANAGEMENT = "Permission Management";
    private static final String DEPLOYMENT_MANAGEMENT = "Deployment Management";
    private static final String BUSINESS_UNIT_MANAGEMENT = "Business Unit Management";
    private static final String API_KEY_MANAGEMENT = "API Key Management";
    private static final String AUDIT = "Audit";
    private static final String CLOUD_ACCOUNTS = "Cloud Accounts";
    private static final String SINGLE_SIGN_ON = "Single Sign-On";
    private static final String TEMPLATE_CATALOG = "Template Catalog";
    private static final String PLATFORM_ADMINISTRATION = "Platform Administration";

    public static final Permission TENANTS_READ = new Permission("tenants:read",
            "See the current tenant and its client tenants", TENANT_MANAGEMENT, TENANT);
    public static final Permission TENANTS_UPDATE = new Permission("tenants:update",
            "Change the current tenant's or a client tenant's name, region and status", TENANT_MANAGEMENT, TENANT);
    public static final Permission TENANTS_CREATE = new Permission("tenants:create",
            "Create client tenants under the current tenant", TENANT_MANAGEMENT, TENANT);
    public static final Permission TENANTS_DELETE = new Permission("tenants:delete",
            "Delete client tenants of the current tenant", TENANT_MANAGEMENT, TENANT);

    public static final Permission ACCESS_GRANTS_LIST = new Permission("access_grants:list",
            "See which other tenants (an MSP) may act in the current tenant, and with which role",
            TENANT_MANAGEMENT, TENANT);
    public static final Permission ACCESS_GRANTS_CREATE = new Permission("access_grants:create",
            "Let another tenant's members act in the current tenant with a role one holds", TENANT_MANAGEMENT,
            TENANT);
    public static final Permission ACCESS_GRANTS_REVOKE = new Permission("access_grants:revoke",
            "Revoke another tenant's access to the current tenant", TENANT_MANAGEMENT, TENANT);

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
    public static final Permission ROLES_READ = new Permission("roles:read",
            "See a role of the current tenant with its permissions", ROLE_MANAGEMENT, TENANT);
    public static final Permission ROLES_CREATE = new Permission("roles:create",
            "Create custom roles, with at most one's own permissions", ROLE_MANAGEMENT, TENANT);
    public static final Permission ROLES_UPDATE = new Permission("roles:update",
            "Change custom roles, with at most one's own permissions", ROLE_MANAGEMENT, TENANT);
    public static final Permission ROLES_DELETE = new Permission("roles:delete",
            "Delete custom roles no member holds directly", ROLE_MANAGEMENT, TENANT);

    public static final Permission GROUPS_LIST = new Permission("groups:list",
            "List the groups of the current tenant", GROUP_MANAGEMENT, TENANT);
    public static final Permission GROUPS_READ = new Permission("groups:read",
            "See a group with its members and roles", GROUP_MANAGEMENT, TENANT);
    public static final Permission GROUPS_CREATE = new Permission("groups:create",
            "Create groups in the current tenant", GROUP_MANAGEMENT, TENANT);
    public static final Permission GROUPS_UPDATE = new Permission("groups:update",
            "Rename groups and change their descriptions", GROUP_MANAGEMENT, TENANT);
    public static final Permission GROUPS_DELETE = new Permission("groups:delete",
            "Delete groups of the current tenant", GROUP_MANAGEMENT, TENANT);
    public static final Permission GROUPS_MANAGE = new Permission("groups:manage",
            "Add and remove groups' members and roles, with at most one's own permissions", GROUP_MANAGEMENT,
            TENANT);

    public static final Permission PERMISSIONS_LIST = new Permission("permissions:list",
            "List every permission with its description", PERMISSION_MANAGEMENT, TENANT);
    public static final Permission PERMISSIONS_GRANT = new Permission("permissions:grant",
            "Grant or deny permissions to members directly, with at most one's own permissions",
            PERMISSION_MANAGEMENT, TENANT);
    public static final Permission PERMISSIONS_EXPLAIN = new Permission("permissions:explain",
            "See why a member may or may not do something, and every member's direct grants and denies",
            PERMISSION_MANAGEMENT, TENANT);

    public static final Permission BUSINESS_UNITS_LIST = new Permission("business_units:list",
            "List the business units of the current tenant", BUSINESS_UNIT_MANAGEMENT, TENANT);
    public static final Permission BUSINESS_UNITS_READ = new Permission("business_units:read",
            "See any business unit with its members", BUSINESS_UNIT_MANAGEMENT, TENANT);
    public static final Permission BUSINESS_UNITS_CREATE = new Permission("business_units:create",
            "Create business units", BUSINESS_UNIT_MANAGEMENT, TENANT);
    public static final Permission BUSINESS_UNITS_UPDATE = new Permission("business_units:update",
            "Rename business units and change their owners", BUSINESS_UNIT_MANAGEMENT, TENANT);
    public static final Permission BUSINESS_UNITS_DELETE = new Permission("business_units:delete",
            "Delete business units with their scoped groups", BUSINESS_UNIT_MANAGEMENT, TENANT);
    public static final Permission BUSINESS_UNITS_MANAGE_MEMBERS = new Permission("business_units:manage_members",
            "Add and remove any business unit's members (owners manage their own unit's without it)",
            BUSINESS_UNIT_MANAGEMENT, TENANT);

    private static final List<String> ENVIRONMENTS = List.of("development", "staging", "production");
    private static final List<String> OWN_AND_ENVIRONMENTS = List.of("own", "development", "staging", "production");

    public static final Permission DEPLOYMENTS_LIST = new Permission("deployments:list",
            "List the deployments of the current tenant (:own: only one's own)", DEPLOYMENT_MANAGEMENT, TENANT,
            List.of("own"));
    public static final Permission DEPLOYMENTS_READ = new Permission("deployments:read",
            "See a deployment (:own: only one's own)", DEPLOYMENT_MANAGEMENT, TENANT, List.of("own"));
    public static final Permission DEPLOYMENTS_CREATE = new Permission("deployments:create",
            "Deploy to an environment (:development, :staging, :production: only there)", DEPLOYMENT_MANAGEMENT,
            TENANT, ENVIRONMENTS);
    public static final Permission DEPLOYMENTS_UPDATE = new Permission("deployments:update",
            "Change or retry a deployment (:own, or only in one environment)", DEPLOYMENT_MANAGEMENT, TENANT,
            OWN_AND_ENVIRONMENTS);
    public static final Permission DEPLOYMENTS_DELETE = new Permission("deployments:delete",
            "Destroy a deployment (:own, or only in one environment)", DEPLOYMENT_MANAGEMENT, TENANT,
            OWN_AND_ENVIRONMENTS);

    public static final Permission ENVIRONMENTS_LIST = new Permission("environments:list",
            "See the environments one may deploy to, with their protection rules", DEPLOYMENT_MANAGEMENT, TENANT);
    public static final Permission ENVIRONMENTS_MANAGE = new Permission("environments:manage",
            "Create, change and delete environments and their protection rules (approvals, TTLs, required tags)",
            DEPLOYMENT_MANAGEMENT, TENANT);

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

    public static final Permission TEMPLATES_LIST = new Permission("templates:list",
            "Browse the template catalog: the tenant's own templates and those its MSP shares with it",
            TEMPLATE_CATALOG, TENANT);
    public static final Permission TEMPLATES_READ = new Permission("templates:read",
            "See a template with its versions, manifests and archives, and check inputs against its schema",
            TEMPLATE_CATALOG, TENANT);
    public static final Permission TEMPLATES_CREATE = new Permission("templates:create",
            "Create templates and publish new versions of them", TEMPLATE_CATALOG, TENANT);
    public static final Permission TEMPLATES_UPDATE = new Permission("templates:update",
            "Change templates' descriptions and tags, and yank versions", TEMPLATE_CATALOG, TENANT);
    public static final Permission TEMPLATES_DELETE = new Permission("templates:delete",
            "Delete templates no live deployment uses", TEMPLATE_CATALOG, TENANT);
    public static final Permission TEMPLATES_MANAGE = new Permission("templates:manage",
            "Lock templates, decide access requests, grant and revoke access, share templates with client tenants",
            TEMPLATE_CATALOG, TENANT);

    public static final Permission PLATFORM_TENANTS_MANAGE = new Permission("platform:tenants_manage",
            "See and manage every tenant on the platform", PLATFORM_ADMINISTRATION, PLATFORM);
    public static final Permission PLATFORM_TENANTS_ENTER = new Permission("platform:tenants_enter",
            "Switch into any tenant without being a member", PLATFORM_ADMINISTRATION, PLATFORM);

    public static final Permission PLATFORM_KEYS_MANAGE = new Permission("platform:keys_manage",
            "See and rotate the platform's encryption keys", PLATFORM_ADMINISTRATION, PLATFORM);

    public static final Permission PLATFORM_DATABASES_MANAGE = new Permission("platform:databases_manage",
            "Register and check the database servers tenants' data is placed on", PLATFORM_ADMINISTRATION, PLATFORM);

    public static final List<Permission> ALL = List.of(TENANTS_READ, TENANTS_UPDATE, TENANTS_CREATE, TENANTS_DELETE,
            ACCESS_GRANTS_LIST, ACCESS_GRANTS_CREATE, ACCESS_GRANTS_REVOKE,
            USERS_LIST, USERS_READ, USERS_CREATE, USERS_UPDATE, USERS_DELETE, ROLES_LIST, ROLES_READ, ROLES_CREATE,
            ROLES_UPDATE, ROLES_DELETE, GROUPS_LIST, GROUPS_READ, GROUPS_CREATE, GROUPS_UPDATE, GROUPS_DELETE,
            GROUPS_MANAGE, PERMISSIONS_LIST, PERMISSIONS_GRANT, PERMISSIONS_EXPLAIN, DEPLOYMENTS_LIST,
            DEPLOYMENTS_READ, DEPLOYMENTS_CREATE, DEPLOYMENTS_UPDATE, DEPLOYMENTS_DELETE, ENVIRONMENTS_LIST,
            ENVIRONMENTS_MANAGE, BUSINESS_UNITS_LIST,
            BUSINESS_UNITS_READ, BUSINESS_UNITS_CREATE, BUSINESS_UNITS_UPDATE, BUSINESS_UNITS_DELETE,
            BUSINESS_UNITS_MANAGE_MEMBERS, API_KEYS_LIST, API_KEYS_CREATE, API_KEYS_DELETE, AUDIT_READ,
            CLOUD_ACCOUNTS_LIST, CLOUD_ACCOUNTS_READ, CLOUD_ACCOUNTS_CREATE, CLOUD_ACCOUNTS_UPDATE, CLOUD_ACCOUNTS_DELETE,
            CLOUD_ACCOUNTS_TEST, SSO_MANAGE, TEMPLATES_LIST, TEMPLATES_READ, TEMPLATES_CREATE, TEMPLATES_UPDATE,
            TEMPLATES_DELETE, TEMPLATES_MANAGE, PLATFORM_TENANTS_MANAGE, PLATFORM_TENANTS_ENTER, PLATFORM_KEYS_MANAGE,
            PLATFORM_DATABASES_MANAGE);

    private Permissions() {
    }

    public static Optional<Permission> named(String name) {
        return ALL.stream().filter(p -> p.name().equals(name)).findFirst();
    }
}
