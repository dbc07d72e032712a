package io.stratus.broker.auth.acl;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClientAclTest {

    private static PolicyRule rule(Effect effect, Set<Action> actions, String... filters) {
        return new PolicyRule(effect, actions, List.of(filters).stream().map(FilterTemplate::parse).toList());
    }

    private static final List<PolicyRule> DEVICE_POLICY = List.of(
        rule(Effect.ALLOW, Set.of(Action.PUBLISH), "devices/${client.id}/telemetry", "devices/${client.id}/events/#"),
        rule(Effect.ALLOW, Set.of(Action.SUBSCRIBE), "devices/${client.id}/commands/#", "broadcast/#"),
        rule(Effect.DENY, Set.of(Action.SUBSCRIBE, Action.RECEIVE), "broadcast/internal/#"),
        rule(Effect.DENY, Set.of(Action.PUBLISH), "devices/${client.id}/events/audit"));

    private static ClientAcl aclFor(String clientId) {
        return ClientAcl.compile(DEVICE_POLICY, AclVariables.of(Map.of("client.id", List.of(clientId))));
    }

    @Test
    void allowsOnlyWhatAnAllowRuleMatches() {
        ClientAcl acl = aclFor("dev-1");

        assertTrue(acl.mayPublish("devices/dev-1/telemetry"));
        assertTrue(acl.mayPublish("devices/dev-1/events/boot"));
        assertFalse(acl.mayPublish("devices/dev-2/telemetry"), "another device's topic");
        assertFalse(acl.mayPublish("devices/dev-1/telemetry/x"));
        assertFalse(acl.mayPublish("elsewhere"), "the default is deny");
    }

    @Test
    void letsADenyRuleWinOverAnAllowRule() {
        ClientAcl acl = aclFor("dev-1");

        assertFalse(acl.mayPublish("devices/dev-1/events/audit"));
        assertFalse(acl.maySubscribe("broadcast/internal/x"));
        assertFalse(acl.maySubscribe("broadcast/#"), "it would reach broadcast/internal");
        assertTrue(acl.maySubscribe("broadcast/public/#"));
    }

    @Test
    void allowsASubscriptionOnlyWhenAnAllowRuleCoversTheWholeFilter() {
        ClientAcl acl = aclFor("dev-1");

        assertTrue(acl.maySubscribe("devices/dev-1/commands/#"));
        assertTrue(acl.maySubscribe("devices/dev-1/commands/+/reboot"));
        assertFalse(acl.maySubscribe("devices/+/commands/#"), "other devices' commands");
        assertFalse(acl.maySubscribe("#"));
        assertFalse(acl.maySubscribe("devices/#"));
    }

    @Test
    void checksReceivedMessagesOnlyWhereADenyRuleReaches() {
        ClientAcl acl = aclFor("dev-1");

        assertFalse(acl.needsReceiveCheck("devices/dev-1/commands/#"));
        assertTrue(acl.needsReceiveCheck("broadcast/+/x"));
        assertFalse(acl.mayReceive("broadcast/internal/x"));
        assertTrue(acl.mayReceive("broadcast/public/x"));
    }

    @Test
    void givesAClientIdWithWildcardsNoAccessThroughVariables() {
        for (String injected : List.of("#", "+", "a/#", "dev-1/#", "+/telemetry")) {
            ClientAcl acl = aclFor(injected);

            assertFalse(acl.mayPublish("devices/dev-1/telemetry"), injected);
            assertFalse(acl.mayPublish("devices/" + injected + "/telemetry"), injected);
            assertFalse(acl.maySubscribe("devices/dev-1/commands/#"), injected);
            assertFalse(acl.maySubscribe("devices/#"), injected);
            assertTrue(acl.maySubscribe("broadcast/public/#"), "rules without variables still apply: " + injected);
        }
    }

    @Test
    void widensADenyRuleWhoseVariableCannotBeSubstituted() {
        List<PolicyRule> policy = List.of(
            rule(Effect.ALLOW, Set.of(Action.PUBLISH), "data/#"),
            rule(Effect.DENY, Set.of(Action.PUBLISH), "data/${jwt.claims.site}/restricted"));

        ClientAcl withSite = ClientAcl.compile(policy, AclVariables.of(Map.of("jwt.claims.site", List.of("north"))));
        ClientAcl without = ClientAcl.compile(policy, AclVariables.of(Map.of()));

        assertFalse(withSite.mayPublish("data/north/restricted"));
        assertTrue(withSite.mayPublish("data/south/restricted"));
        assertFalse(without.mayPublish("data/south/restricted"), "the deny covers all of data/# then");
    }

    @Test
    void keepsWildcardRulesAwayFromDollarTopics() {
        ClientAcl acl = ClientAcl.compile(List.of(rule(Effect.ALLOW, Set.of(Action.PUBLISH, Action.SUBSCRIBE), "#")),
            AclVariables.of(Map.of()));

        assertTrue(acl.mayPublish("a/b"));
        assertFalse(acl.mayPublish("$SYS/broker/x"));
        assertFalse(acl.maySubscribe("$SYS/#"));
    }

    @Test
    void allowsEverythingWithoutAPolicy() {
        assertTrue(ClientAcl.ALLOW_ALL.mayPublish("any/topic"));
        assertTrue(ClientAcl.ALLOW_ALL.maySubscribe("#"));
        assertTrue(ClientAcl.ALLOW_ALL.mayReceive("x"));
    }
}
