package io.stratus.examples.payloadschema;

import com.networknt.schema.InputFormat;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.stratus.sdk.PluginContext;
import io.stratus.sdk.StratusPlugin;
import io.stratus.sdk.client.ClientIdentity;
import io.stratus.sdk.hook.MessageDecision;
import io.stratus.sdk.message.PublishPacket;
import io.stratus.sdk.service.Counter;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Keeps malformed data out of a tenant: an inbound publish hook that checks the JSON payload of each
 * message whose topic matches a configured topic filter against that filter's JSON Schema (draft
 * 2020-12), and drops what does not match. The publisher of a dropped QoS 1 or 2 message is told
 * (MQTT 5: reason code 0x83); messages on other topics pass untouched.
 *
 * <p>Configuration: one key per filter, {@code schema.<topic filter>}, whose value is the schema (in
 * the tenants file, the schema object itself). The first filter that matches a topic, in key order,
 * applies. Metrics: {@code accepted}, {@code rejected} (did not match), {@code not-json}.
 *
 * <p>The schemas are compiled once, when the plugin starts; a schema that does not compile stops the
 * plugin from starting, with the key in the message. Validation is CPU work of microseconds for
 * device-sized payloads, so it runs on the broker's plugin thread and answers at once.
 */
public final class PayloadSchemaPlugin implements StratusPlugin {

    static final String KEY_PREFIX = "schema.";

    private record Rule(String filter, JsonSchema schema) {
    }

    private final List<Rule> rules = new ArrayList<>();
    private Counter accepted;
    private Counter rejected;
    private Counter notJson;

    @Override
    public void start(PluginContext context) {
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
        for (String key : new TreeSet<>(context.configuration().keys())) {
            if (!key.startsWith(KEY_PREFIX)) {
                throw new IllegalArgumentException("unknown configuration key " + key + "; expected "
                    + KEY_PREFIX + "<topic filter>");
            }
            String filter = key.substring(KEY_PREFIX.length());
            TopicFilters.check(filter);
            try {
                rules.add(new Rule(filter, factory.getSchema(context.configuration().require(key))));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(key + " is not a JSON Schema: " + e.getMessage(), e);
            }
        }
        if (rules.isEmpty()) {
            throw new IllegalArgumentException("no schema configured: set " + KEY_PREFIX + "<topic filter>");
        }
        accepted = context.metrics().counter("accepted");
        rejected = context.metrics().counter("rejected");
        notJson = context.metrics().counter("not-json");
        context.registerInboundPublishHook(this::check);
    }

    private CompletionStage<MessageDecision> check(ClientIdentity sender, PublishPacket packet) {
        for (Rule rule : rules) {
            if (TopicFilters.matches(rule.filter(), packet.topic())) {
                return CompletableFuture.completedStage(validate(rule, packet));
            }
        }
        return CompletableFuture.completedStage(MessageDecision.pass());
    }

    private MessageDecision validate(Rule rule, PublishPacket packet) {
        Set<ValidationMessage> errors;
        try {
            errors = rule.schema().validate(new String(packet.payloadBytes(), StandardCharsets.UTF_8), InputFormat.JSON);
        } catch (RuntimeException e) {
            notJson.increment();
            return MessageDecision.drop("payload is not JSON (schema for " + rule.filter() + ")");
        }
        if (errors.isEmpty()) {
            accepted.increment();
            return MessageDecision.pass();
        }
        rejected.increment();
        // where and which rule failed, never the values: drop reasons are logged, payloads must not be
        ValidationMessage first = errors.iterator().next();
        return MessageDecision.drop("payload does not match the schema for " + rule.filter() + ": "
            + first.getInstanceLocation() + " fails " + first.getType() + (errors.size() > 1
                ? " (and " + (errors.size() - 1) + " more)" : ""));
    }
}
