/**
 * The Stratus plugin SDK: what a plugin compiles against to authenticate and authorize clients,
 * change or drop messages on their way in and out, and follow clients' lifecycles.
 *
 * <p>A plugin is a JAR with a {@link io.stratus.sdk.StratusPlugin} implementation named in
 * {@code META-INF/services/io.stratus.sdk.StratusPlugin}. The broker loads it in a class loader of its
 * own that sees this SDK and the JDK and nothing else, creates one instance per tenant that enables
 * it, and hands that instance its services through a {@link io.stratus.sdk.PluginContext}.
 *
 * <p>Only the API packages are exported; {@code io.stratus.sdk.internal} is an implementation detail
 * that may change in any release.
 *
 * @since 1.0
 */
module io.stratus.sdk {
    exports io.stratus.sdk;
    exports io.stratus.sdk.annotation;
    exports io.stratus.sdk.auth;
    exports io.stratus.sdk.client;
    exports io.stratus.sdk.hook;
    exports io.stratus.sdk.message;
    exports io.stratus.sdk.service;

    uses io.stratus.sdk.StratusPlugin;
}
