package dev.canopy.provisioning.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What-If's change types as Canopy's normalised actions, on a result shaped as Microsoft's REST reference example
 * ({@code PostDeploymentWhatIfOnResourceGroup}) extended with the change types it does not show.
 */
class ArmWhatIfTest {

    static final String RG = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/my-resource-group";

    static final String RESULT = """
            {"status": "Succeeded", "properties": {"changes": [
              {"resourceId": "RG/providers/Microsoft.ManagedIdentity/userAssignedIdentities/myExistingIdentity",
               "changeType": "Modify",
               "before": {"name": "myExistingIdentity", "location": "westus2"},
               "after": {"name": "myExistingIdentity", "location": "westus2", "tags": {"myNewTag": "my tag value"}},
               "delta": [{"path": "tags.myNewTag", "propertyChangeType": "Create", "after": "my tag value"},
                         {"path": "properties", "propertyChangeType": "Modify",
                          "children": [{"path": "sku", "propertyChangeType": "Modify", "before": "S1", "after": "S2"}]}]},
              {"resourceId": "RG/providers/Microsoft.ManagedIdentity/userAssignedIdentities/myNewIdentity",
               "changeType": "Create", "after": {"name": "myNewIdentity", "location": "eastus"}},
              {"resourceId": "RG/providers/Microsoft.Storage/storageAccounts/old", "changeType": "Delete",
               "before": {"name": "old"}},
              {"resourceId": "RG/providers/Microsoft.Web/sites/same", "changeType": "NoChange",
               "before": {"name": "same"}, "after": {"name": "same"}},
              {"resourceId": "RG/providers/Microsoft.Web/sites/other", "changeType": "Ignore", "before": {"name": "other"}},
              {"resourceId": "RG/providers/Microsoft.Web/sites/redeployed", "changeType": "Deploy",
               "before": {"name": "redeployed"}, "after": {"name": "redeployed"}},
              {"resourceId": "RG/providers/Microsoft.Web/sites/a/providers/Microsoft.Authorization/locks/lock",
               "changeType": "Unsupported", "unsupportedReason": "uses reference()"}
            ]}}
            """.replace("RG/", RG + "/");

    @Test
    void everyChangeTypeBecomesOneOfCanopysActionsWithItsBeforeAndAfter() {
        List<DriverResult.Change> changes = new ArrayList<>();
        JsonMapper.builder().build().readTree(RESULT).path("properties").path("changes")
                .forEach(c -> changes.add(ArmDriver.normalised(c)));

        assertThat(changes).extracting(DriverResult.Change::action).containsExactly("update", "create", "delete",
                "no-op", "no-op", "update", "update");
        assertThat(changes).extracting(DriverResult.Change::address).containsExactly(
                "Microsoft.ManagedIdentity/userAssignedIdentities/myExistingIdentity",
                "Microsoft.ManagedIdentity/userAssignedIdentities/myNewIdentity",
                "Microsoft.Storage/storageAccounts/old", "Microsoft.Web/sites/same", "Microsoft.Web/sites/other",
                "Microsoft.Web/sites/redeployed", "Microsoft.Authorization/locks/lock");
        // a Modify shows the properties that change, by dotted path, children included
        JsonNode before = changes.get(0).before();
        JsonNode after = changes.get(0).after();
        assertThat(after.path("tags.myNewTag").asString()).isEqualTo("my tag value");
        assertThat(before.path("tags.myNewTag").isNull()).isTrue();
        assertThat(before.path("properties.sku").asString()).isEqualTo("S1");
        assertThat(after.path("properties.sku").asString()).isEqualTo("S2");
        assertThat(changes.get(1).before().isNull()).isTrue();
        assertThat(changes.get(1).after().path("location").asString()).isEqualTo("eastus");
        assertThat(changes.get(2).before().path("name").asString()).isEqualTo("old");
        assertThat(changes.get(2).after().isNull()).isTrue();
        assertThat(changes.get(3).before().isNull()).isTrue();
    }

    @Test
    void resourceTypesAreReadFromResourceIds() {
        assertThat(ArmDriver.type(RG + "/providers/Microsoft.Storage/storageAccounts/a/blobServices/default"))
                .isEqualTo("Microsoft.Storage/storageAccounts/blobServices");
        assertThat(ArmDriver.type(RG + "/providers/Microsoft.Web/sites/a/providers/Microsoft.Authorization/locks/l"))
                .isEqualTo("Microsoft.Authorization/locks");
        assertThat(ArmDriver.type(RG)).isEqualTo("Microsoft.Resources/resourceGroups");
        assertThat(ArmDriver.address(RG)).isEqualTo("resourceGroups/my-resource-group");
    }
}
