package dev.canopy.access;

/**
 * jCasbin's equivalent of Canopy's model: RBAC with domains (tenants), allow and deny effects where a deny
 * wins, and permission patterns as anchored regular expressions ({@code PermissionPattern.toRegex}).
 */
public final class CasbinModel {

    public static final String TEXT = """
            [request_definition]
            r = sub, dom, obj

            [policy_definition]
            p = sub, dom, obj, eft

            [role_definition]
            g = _, _, _

            [policy_effect]
            e = some(where (p.eft == allow)) && !some(where (p.eft == deny))

            [matchers]
            m = g(r.sub, p.sub, r.dom) && r.dom == p.dom && regexMatch(r.obj, p.obj)
            """;

    private CasbinModel() {
    }
}
