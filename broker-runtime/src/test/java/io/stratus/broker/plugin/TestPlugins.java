package io.stratus.broker.plugin;

import io.stratus.sdk.PluginContext;
import io.stratus.sdk.StratusPlugin;
import io.stratus.sdk.auth.AclResult;
import io.stratus.sdk.auth.AuthResult;
import io.stratus.sdk.auth.Authorizer;
import io.stratus.sdk.auth.DenyReason;
import io.stratus.sdk.auth.PublishRequest;
import io.stratus.sdk.auth.SubscribeRequest;
import io.stratus.sdk.client.ClientIdentity;
import io.stratus.sdk.hook.DisconnectInfo;
import io.stratus.sdk.hook.LifecycleListener;
import io.stratus.sdk.hook.MessageDecision;
import io.stratus.sdk.hook.SubscriptionInfo;
import io.stratus.sdk.message.PublishPacket;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Plugins the end-to-end plugin tests install from the class path, each doing one thing the tests
 * can see from an MQTT client. Their behaviour follows what clients send (user names, topics), so
 * that one instance serves every case of a test.
 */
final class TestPlugins {

    private TestPlugins() {
    }

    private static String text(PublishPacket p) {
        return new String(p.payloadBytes(), StandardCharsets.UTF_8);
    }

    /**
     * An authenticator deciding by user name: {@code alice} is allowed with the attribute
     * {@code role} (from the configuration), {@code mallory} is banned, {@code thrower} makes it throw,
     * {@code hanger} gets an answer that never comes; anyone else is passed to the next method.
     */
    public static final class Gate implements StratusPlugin {
        @Override
        public void start(PluginContext context) {
            String role = context.configuration().getString("role", "reader");
            context.registerAuthenticator(request -> {
                String user = request.username().orElse("");
                return switch (user) {
                    case "alice" -> CompletableFuture.completedStage(
                        AuthResult.allowBuilder().attribute("role", role).attribute("client.id", "forged").build());
                    case "mallory" -> CompletableFuture.completedStage(AuthResult.deny(DenyReason.BANNED, "banned"));
                    case "thrower" -> throw new IllegalStateException("the back end is broken");
                    case "hanger" -> new CompletableFuture<>();
                    default -> CompletableFuture.completedStage(AuthResult.next());
                };
            });
        }
    }

    /**
     * An authorizer: topics and filters containing {@code secret} are denied, topics under
     * {@code open/} allowed, anything else has no opinion.
     */
    public static final class Guard implements StratusPlugin {
        @Override
        public void start(PluginContext context) {
            context.registerAuthorizer(new Authorizer() {
                @Override
                public CompletionStage<AclResult> authorizePublish(ClientIdentity client, PublishRequest publish) {
                    return CompletableFuture.completedStage(publish.topic().contains("secret") ? AclResult.deny("secret")
                        : publish.topic().startsWith("open/") ? AclResult.allow() : AclResult.next());
                }

                @Override
                public CompletionStage<AclResult> authorizeSubscribe(ClientIdentity client, SubscribeRequest subscribe) {
                    return CompletableFuture.completedStage(subscribe.topicFilter().contains("secret")
                        ? AclResult.deny("secret") : AclResult.next());
                }
            });
        }
    }

    /** An authorizer that throws on every publish, so its fallback (deny) applies. */
    public static final class ThrowingAuthorizer implements StratusPlugin {
        @Override
        public void start(PluginContext context) {
            context.registerAuthorizer(new Authorizer() {
                @Override
                public CompletionStage<AclResult> authorizePublish(ClientIdentity client, PublishRequest publish) {
                    throw new IllegalStateException("the policy service is down");
                }
            });
        }
    }

    /**
     * An inbound hook: {@code in/X} becomes {@code out/X} with the payload upper-cased and a user
     * property naming the sender, {@code drop/...} is dropped, anything else passes. Each answer comes
     * after a random few milliseconds, so answers come back out of order.
     */
    public static final class Rewriter implements StratusPlugin {
        @Override
        public void start(PluginContext context) {
            context.registerInboundPublishHook((sender, packet) -> {
                MessageDecision d;
                if (packet.topic().startsWith("in/")) {
                    d = MessageDecision.replace(packet.toBuilder().topic("out/" + packet.topic().substring(3))
                        .payload(text(packet).toUpperCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8))
                        .addUserProperty("sender", sender.clientId()).build());
                } else if (packet.topic().startsWith("drop/")) {
                    d = MessageDecision.drop("not wanted");
                } else if (packet.topic().startsWith("escape/")) {
                    d = MessageDecision.replace(packet.toBuilder().topic("$SYS/broker/forged").build());
                } else {
                    d = MessageDecision.pass();
                }
                return CompletableFuture.supplyAsync(() -> d,
                    CompletableFuture.delayedExecutor(ThreadLocalRandom.current().nextInt(5), TimeUnit.MILLISECONDS));
            });
        }
    }

    /** An inbound hook whose answer never comes. */
    public static final class HangingHook implements StratusPlugin {
        @Override
        public void start(PluginContext context) {
            context.registerInboundPublishHook((sender, packet) -> new CompletableFuture<>());
        }
    }

    /** An inbound hook that blocks the thread it is called on for the configured time, then passes. */
    public static final class SleepingHook implements StratusPlugin {
        @Override
        public void start(PluginContext context) {
            long millis = context.configuration().getLong("sleep-ms", 100);
            context.registerInboundPublishHook((sender, packet) -> {
                try {
                    Thread.sleep(millis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return CompletableFuture.completedStage(MessageDecision.pass());
            });
        }
    }

    /**
     * An outbound hook: for a receiver whose user name is not {@code owner}, {@code private/...} is
     * dropped and {@code mask/...} gets the payload {@code ***}; everything else passes. Each answer
     * comes after a random few milliseconds.
     */
    public static final class Redactor implements StratusPlugin {
        @Override
        public void start(PluginContext context) {
            context.registerOutboundDeliveryHook((receiver, packet) -> {
                boolean owner = receiver.username().filter("owner"::equals).isPresent();
                MessageDecision d;
                if (!owner && packet.topic().startsWith("private/")) {
                    d = MessageDecision.drop("not for this receiver");
                } else if (!owner && packet.topic().startsWith("mask/")) {
                    d = MessageDecision.replace(packet.toBuilder().payload("***".getBytes(StandardCharsets.UTF_8)).build());
                } else {
                    d = MessageDecision.pass();
                }
                return CompletableFuture.supplyAsync(() -> d,
                    CompletableFuture.delayedExecutor(ThreadLocalRandom.current().nextInt(5), TimeUnit.MILLISECONDS));
            });
        }
    }

    /**
     * A lifecycle listener that reports each event of a client on {@code events/<client id>}, through the
     * SDK's publisher. A client subscribing to {@code kick/me} is disconnected through the SDK's client
     * service; one subscribing to {@code whoami} gets its identity, as the service looks it up, on
     * {@code events/<client id>/identity}.
     */
    public static final class Recorder implements StratusPlugin {
        private PluginContext context;

        @Override
        public void start(PluginContext context) {
            this.context = context;
            context.registerLifecycleListener(new LifecycleListener() {
                @Override
                public CompletionStage<Void> onConnected(ClientIdentity client) {
                    return report(client, "connected method=" + client.authenticationMethod());
                }

                @Override
                public CompletionStage<Void> onDisconnected(ClientIdentity client, DisconnectInfo info) {
                    return report(client, "disconnected graceful=" + info.graceful() + " server=" + info.serverInitiated()
                        + " code=" + info.reasonCode());
                }

                @Override
                public CompletionStage<Void> onSubscribed(ClientIdentity client, List<SubscriptionInfo> subscriptions) {
                    for (SubscriptionInfo s : subscriptions) {
                        if (s.topicFilter().equals("kick/me")) {
                            context.clients().disconnect(client.clientId(), "it asked");
                        } else if (s.topicFilter().equals("whoami")) {
                            ClientIdentity found = context.clients().identity(client.clientId()).orElseThrow();
                            context.publisher().publish(PublishPacket.of("events/" + client.clientId() + "/identity",
                                (found.tenantId() + " " + found.username().orElse("-") + " " + found.attributes())
                                    .getBytes(StandardCharsets.UTF_8)));
                        }
                    }
                    return report(client, "subscribed " + subscriptions.stream().map(SubscriptionInfo::topicFilter)
                        .collect(Collectors.joining(",")));
                }

                @Override
                public CompletionStage<Void> onUnsubscribed(ClientIdentity client, List<String> topicFilters) {
                    return report(client, "unsubscribed " + String.join(",", topicFilters));
                }
            });
        }

        private CompletionStage<Void> report(ClientIdentity client, String event) {
            return context.publisher().publish(PublishPacket.of("events/" + client.clientId(),
                event.getBytes(StandardCharsets.UTF_8)));
        }
    }
}
