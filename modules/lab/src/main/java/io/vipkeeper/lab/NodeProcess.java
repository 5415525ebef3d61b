package io.vipkeeper.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.Optional;

/** One real vipkeeper JVM inside a lab node's namespace, configured by environment only. */
public final class NodeProcess {

  private final String name;
  private final Path logFile;
  private Process process;
  private int starts;
  private long startedAtMillis;

  public NodeProcess(String name, Path logFile) {
    this.name = name;
    this.logFile = logFile;
  }

  void start(String namespace, Map<String, String> env, List<String> jvmOptions) throws IOException {
    start(namespace, env, jvmOptions, nodeJar());
  }

  /** The node's shaded jar: {@code -Dvipkeeper.node.jar} (set by the build and bin/vipkeeper), else the module's target. */
  public static Path nodeJar() {
    String jar = System.getProperty("vipkeeper.node.jar");
    if (jar == null) throw new IllegalStateException("set -Dvipkeeper.node.jar to the node's shaded jar (the build and bin/vipkeeper do)");
    return Path.of(jar).toAbsolutePath();
  }

  /** A node's JVM options, as bin/vipkeeper gives them: conf/jvm.options ({@code -Dvipkeeper.jvm.options}). */
  static List<String> jvmOptions() {
    Path file = Path.of(System.getProperty("vipkeeper.jvm.options", "../conf/jvm.options")).toAbsolutePath();
    try {
      return Files.readAllLines(file).stream().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the nodes' JVM options from " + file + ": " + e.getMessage(), e);
    }
  }

  /** Starts {@code jar} (the node, or a service that embeds vipkeeper) in {@code namespace}. */
  public void start(String namespace, Map<String, String> env, List<String> jvmOptions, Path jar) throws IOException {
    if (!Files.isRegularFile(jar)) throw new IllegalStateException("node jar missing: " + jar + " (run mvn package first)");
    List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", namespace, javaBin()));
    command.addAll(jvmOptions());
    command.addAll(classData(jar));
    command.addAll(jvmOptions);
    command.addAll(List.of("-jar", jar.toAbsolutePath().toString()));
    launch(command, env);
  }

  /** Starts {@code mainClass} on the node jar's classes and this lab's, with the nodes' JVM options (no class archive). */
  public void startMain(String namespace, String mainClass, List<String> args) throws IOException {
    List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", namespace, javaBin()));
    command.addAll(jvmOptions());
    command.addAll(List.of("-cp", nodeJar() + java.io.File.pathSeparator + System.getProperty("java.class.path"), mainClass));
    command.addAll(args);
    launch(command, Map.of());
  }

  private void launch(List<String> command, Map<String, String> env) throws IOException {
    Files.createDirectories(logFile.getParent());
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(starts++ == 0 ? ProcessBuilder.Redirect.to(logFile.toFile()) : ProcessBuilder.Redirect.appendTo(logFile.toFile()));
    builder.environment().putAll(env);
    startedAtMillis = System.currentTimeMillis();
    process = builder.start();
  }

  /** Wall-clock time (epoch ms) of the latest start. */
  long startedAtMillis() {
    return startedAtMillis;
  }

  String name() {
    return name;
  }

  Optional<ProcessHandle> handle() {
    return process != null && process.isAlive() ? Optional.of(process.toHandle()) : Optional.empty();
  }

  boolean alive() {
    return process != null && process.isAlive();
  }

  /** A crash: SIGKILL, no shutdown hook runs. */
  public void kill9() throws InterruptedException {
    if (process == null) return;
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  /** A graceful stop: SIGTERM runs CoordinatedShutdown; waits up to {@code seconds}. */
  public int terminate(int seconds) throws InterruptedException {
    if (process == null || !process.isAlive()) return process == null ? -1 : process.exitValue();
    process.destroy();
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      return -1;
    }
    return process.exitValue();
  }

  public String log() {
    try {
      return Files.exists(logFile) ? Files.readString(logFile) : "";
    } catch (IOException e) {
      return "(cannot read " + logFile + ": " + e.getMessage() + ")";
    }
  }

  /**
   * As bin/vipkeeper: the class archive the build made beside the jar (the JVM ignores one that
   * does not match it). With {@code -Dvipkeeper.lab.class-lists=DIR} each node writes the classes
   * it loaded to DIR/NAME.classlist instead: packaging/class-list.sh makes the shipped list so.
   */
  private List<String> classData(Path jar) {
    String lists = System.getProperty("vipkeeper.lab.class-lists");
    if (lists != null) return List.of("-XX:DumpLoadedClassList=" + Path.of(lists, name + ".classlist").toAbsolutePath());
    Path archive = jar.toAbsolutePath().resolveSibling(jar.getFileName().toString().replaceFirst("\\.jar$", "") + ".jsa");
    return Files.isRegularFile(archive) ? List.of("-XX:SharedArchiveFile=" + archive) : List.of();
  }

  private static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
