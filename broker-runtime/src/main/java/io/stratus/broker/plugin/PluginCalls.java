package io.stratus.broker.plugin;

import io.stratus.broker.config.LimitsConfig;
import io.stratus.broker.routing.InvalidTopicException;
import io.stratus.broker.routing.Topics;
import io.stratus.broker.tenant.TenantId;
import io.stratus.sdk.auth.AclResult;
import io.stratus.sdk.auth.AuthResult;
import io.stratus.sdk.auth.ConnectRequest;
import io.stratus.sdk.auth.Decision;
import io.stratus.sdk.auth.DenyReason;
import io.stratus.sdk.auth.PublishRequest;
import io.stratus.sdk.auth.SubscribeRequest;
import io.stratus.sdk.client.ClientIdentity;
import io.stratus.sdk.hook.MessageDecision;
import io.stratus.sdk.message.PublishPacket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * What the broker's hot path asks of a tenant's plugins, combined over all of them in the tenant's
 * order: an authenticator's answer, publish and subscribe decisions, inbound and outbound hooks and
 * lifecycle notifications. Every future completes normally (the hosts apply timeouts and fallbacks),
 * on a plugin thread or the timer: callers hop back to their own thread.
 *
 * <p>The {@code has...} questions are cheap (a read of an immutable snapshot), so that the broker takes
 * its asynchronous paths only for tenants whose plugins registered the callback concerned, and a
 * tenant without plugins costs nothing.
 *
 * <p>Decisions combine as the SDK documents: a deny from any authorizer wins over the tenant's policy
 * and every other authorizer, and an allow cannot override a deny of the policy; {@code next} is no
 * opinion. Hooks run one after the other, each seeing what the previous one passed on; a drop ends
 * the chain.
 */
public final class PluginCalls {

    private static final Logger LOG = LoggerFactory.getLogger(PluginCalls.class);

    /** The calls of a broker that runs no plugins: every tenant has none. */
    public static final PluginCalls NONE = new PluginCalls(null, null);

    /** What became of a message a client published. */
    public enum Verdict {
        /** An authorizer denied it. */
        DENY,
        /** A hook dropped it. */
        DROP,
        /** It goes on: unchanged, or as the hooks replaced it. */
        ROUTE
    }

    /**
     * The combined answer on a published message.
     *
     * @param verdict what becomes of it
     * @param packet  for {@code ROUTE}, the message the hooks replaced it with; null if unchanged
     * @param reason  for {@code DENY} and {@code DROP}, why, for the logs
     */
    public record Inbound(Verdict verdict, PublishPacket packet, String reason) {
        static final Inbound UNCHANGED = new Inbound(Verdict.ROUTE, null, null);
    }

    private final PluginManager manager;
    private final LimitsConfig limits;

    /**
     * @param manager the plugins and which tenants run them
     * @param limits  the topic limits a replacement message must keep to
     */
    public PluginCalls(PluginManager manager, LimitsConfig limits) {
        this.manager = manager;
        this.limits = limits;
    }

    /** @return whether the broker runs plugins at all */
    public boolean enabled() {
        return manager != null;
    }

    private List<PluginHost> hosts(TenantId tenant) {
        return manager == null ? List.of() : manager.hosts(tenant);
    }

    private boolean any(TenantId tenant, Predicate<PluginHost> has) {
        for (PluginHost h : hosts(tenant)) {
            if (has.test(h)) {
                return true;
            }
        }
        return false;
    }

    /** @return whether a PUBLISH of the tenant's clients must wait for an authorizer or an inbound hook */
    public boolean interceptsPublish(TenantId tenant) {
        return any(tenant, h -> h.hasAuthorizer() || h.hasInboundPublishHook());
    }

    /** @return whether a SUBSCRIBE (or a will) of the tenant's clients must wait for an authorizer */
    public boolean authorizes(TenantId tenant) {
        return any(tenant, PluginHost::hasAuthorizer);
    }

    /** @return whether deliveries to the tenant's clients pass an outbound hook */
    public boolean hooksDelivery(TenantId tenant) {
        return any(tenant, PluginHost::hasOutboundDeliveryHook);
    }

    /** @return whether a plugin of the tenant listens to its clients' lifecycle */
    public boolean listens(TenantId tenant) {
        return any(tenant, PluginHost::hasLifecycleListener);
    }

    /** @return the counters of every plugin that ran in the tenant, by id */
    public Map<String, PluginStats> stats(TenantId tenant) {
        return manager == null ? Map.of() : manager.stats(tenant);
    }

    /**
     * Asks one plugin's authenticator. A plugin the tenant's chain names but that does not run (its JAR
     * is not loaded, it failed to start) or registered no authenticator cannot vouch for anyone: the
     * client is refused as for a plugin that failed, rather than passed to methods after it.
     */
    public CompletableFuture<AuthResult> authenticate(TenantId tenant, String pluginId, ConnectRequest request) {
        for (PluginHost h : hosts(tenant)) {
            if (h.jar().id().equals(pluginId) && h.isRunning() && h.hasAuthenticator()) {
                return h.authenticate(request);
            }
        }
        return CompletableFuture.completedFuture(AuthResult.deny(DenyReason.SERVER_BUSY,
            "plugin " + pluginId + " is not running or has no authenticator"));
    }

    /**
     * Decides on a published message: the authorizers (unless the policy denied it already), then the
     * inbound hooks.
     *
     * @param policyAllows whether the tenant's policy allows the publish
     */
    public CompletableFuture<Inbound> inbound(TenantId tenant, ClientIdentity sender, PublishPacket packet,
                                              boolean policyAllows) {
        List<PluginHost> hosts = hosts(tenant);
        if (!policyAllows) {
            return CompletableFuture.completedFuture(new Inbound(Verdict.DENY, null, "the tenant's policy"));
        }
        PublishRequest request = PublishRequest.of(packet.topic(), packet.qos(), packet.retain());
        return denied(hosts, h -> h.authorizePublish(sender, request)).thenCompose(denier -> {
            if (denier != null) {
                return CompletableFuture.completedFuture(new Inbound(Verdict.DENY, null, "plugin " + denier));
            }
            return hooks(hosts, 0, packet, false, PluginHost::hasInboundPublishHook, (h, p) -> h.onPublish(sender, p))
                .thenApply(d -> switch (d.action()) {
                    case PASS -> Inbound.UNCHANGED;
                    case REPLACE -> new Inbound(Verdict.ROUTE, d.packet().orElseThrow(), null);
                    case DROP -> new Inbound(Verdict.DROP, null, d.reason().orElse("dropped"));
                });
        });
    }

    /** @return whether an authorizer denies a publish, such as a will's when its client connects */
    public CompletableFuture<Boolean> deniesPublish(TenantId tenant, ClientIdentity client, PublishRequest request) {
        return denied(hosts(tenant), h -> h.authorizePublish(client, request)).thenApply(denier -> denier != null);
    }

    /** @return whether an authorizer denies the subscription */
    public CompletableFuture<Boolean> deniesSubscribe(TenantId tenant, ClientIdentity client, SubscribeRequest request) {
        return denied(hosts(tenant), h -> h.authorizeSubscribe(client, request)).thenApply(denier -> denier != null);
    }

    /**
     * Passes a delivery through the outbound hooks.
     *
     * @return pass (unchanged), replace (with what the hooks made of it) or drop
     */
    public CompletableFuture<MessageDecision> outbound(TenantId tenant, ClientIdentity receiver, PublishPacket packet) {
        return hooks(hosts(tenant), 0, packet, false, PluginHost::hasOutboundDeliveryHook,
            (h, p) -> h.onDeliver(receiver, p));
    }

    /**
     * Tells every lifecycle listener of the tenant about an event.
     *
     * @return a future completing once every listener is done, failed or timed out
     */
    public CompletableFuture<Void> notifyListeners(TenantId tenant, Function<PluginHost, CompletableFuture<Void>> event) {
        List<CompletableFuture<Void>> calls = new ArrayList<>();
        for (PluginHost h : hosts(tenant)) {
            if (h.hasLifecycleListener()) {
                calls.add(event.apply(h));
            }
        }
        return calls.isEmpty() ? CompletableFuture.completedFuture(null)
            : CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new));
    }

    /** @return a future of the id of a plugin whose authorizer denies, or null if none does */
    private static CompletableFuture<String> denied(List<PluginHost> hosts,
                                                    Function<PluginHost, CompletableFuture<AclResult>> ask) {
        List<PluginHost> asked = new ArrayList<>();
        List<CompletableFuture<AclResult>> answers = new ArrayList<>();
        for (PluginHost h : hosts) {
            if (h.hasAuthorizer()) {
                asked.add(h);
                answers.add(ask.apply(h));
            }
        }
        if (answers.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        // every authorizer is asked at once: a deny wins whatever the order, so nothing waits on another
        return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).thenApply(v -> {
            for (int i = 0; i < answers.size(); i++) {
                if (answers.get(i).join().decision() == Decision.DENY) {
                    return asked.get(i).jar().id();
                }
            }
            return null;
        });
    }

    /** Runs the hooks from {@code index} on, each on what the previous passed on, until one drops. */
    private CompletableFuture<MessageDecision> hooks(List<PluginHost> hosts, int index, PublishPacket packet,
                                                     boolean replaced, Predicate<PluginHost> has,
                                                     BiFunction<PluginHost, PublishPacket, CompletableFuture<MessageDecision>> call) {
        for (int i = index; i < hosts.size(); i++) {
            PluginHost h = hosts.get(i);
            if (!has.test(h)) {
                continue;
            }
            int next = i + 1;
            return call.apply(h, packet).thenCompose(d -> switch (d.action()) {
                case PASS -> hooks(hosts, next, packet, replaced, has, call);
                case REPLACE -> {
                    PublishPacket replacement = d.packet().orElseThrow();
                    if (acceptable(h, replacement)) {
                        yield hooks(hosts, next, replacement, true, has, call);
                    }
                    yield hooks(hosts, next, packet, replaced, has, call);
                }
                case DROP -> {
                    h.stats().dropped();
                    yield CompletableFuture.completedFuture(d);
                }
            });
        }
        return CompletableFuture.completedFuture(replaced ? MessageDecision.replace(packet) : MessageDecision.pass());
    }

    /**
     * A replacement stays inside the tenant's namespace by construction, but must also be a topic the
     * tenant's clients could have published to: within the limits and not one of the broker's
     * {@code $} topics. One that is not counts as the hook's failure and is ignored.
     */
    private boolean acceptable(PluginHost h, PublishPacket replacement) {
        String topic = replacement.topic();
        String problem = null;
        if (topic.startsWith("$")) {
            problem = "the broker's $ topics are read-only";
        } else {
            try {
                Topics.validateTopicName(topic, limits.maxTopicLength(), limits.maxTopicLevels());
            } catch (InvalidTopicException e) {
                problem = e.getMessage();
            }
        }
        if (problem == null) {
            return true;
        }
        h.stats().failed();
        String why = problem;
        CallbackGuard.withTenant(h.tenant(), () -> LOG.debug("plugin={} replaced a message with one the broker refuses "
            + "({}); the message goes on as it was", h.jar().id(), why));
        return false;
    }
}
