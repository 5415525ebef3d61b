package io.vipkeeper.catalog;

import com.typesafe.config.Config;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.cluster.ddata.DurableStore;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.SerializerWithStringManifest;
import scala.collection.immutable.HashMap;
import scala.collection.immutable.HashMap$;
import java.io.NotSerializableException;
import java.nio.ByteBuffer;

/**
 * Distributed Data's durable store as one file per key: the replicated catalog survives a restart
 * of every node without LMDB's native library. Each store writes a temporary file, forces it to
 * disk and renames it over the old one, so a crash leaves the old or the new value, never half.
 */
public final class FileDurableStore extends AbstractActor {

  private static final String SUFFIX = ".ddata";
  private final Path dir;
  private final SerializerWithStringManifest serializer;

  public FileDurableStore(Config config) throws NotSerializableException {
    this.dir = Path.of(config.getString("file.dir"));
    this.serializer = (SerializerWithStringManifest) SerializationExtension.get(getContext().getSystem())
        .serializerFor(DurableStore.DurableDataEnvelope.class);
  }

  @Override
  public Receive createReceive() {
    return receiveBuilder()
        .matchEquals(DurableStore.LoadAll$.MODULE$, m -> loadAll())
        .match(DurableStore.Store.class, this::store)
        .build();
  }

  private void loadAll() throws IOException {
    HashMap<String, DurableStore.DurableDataEnvelope> data = HashMap$.MODULE$.empty();
    if (Files.isDirectory(dir)) {
      try (Stream<Path> files = Files.list(dir)) {
        for (Path file : files.filter(f -> f.toString().endsWith(SUFFIX)).toList()) {
          data = data.updated(keyOf(file), read(file));
        }
      } catch (IOException | RuntimeException e) {
        throw new DurableStore.LoadFailed("cannot read the durable catalog in " + dir + ": " + e.getMessage(), e);
      }
    }
    if (data.nonEmpty()) getSender().tell(new DurableStore.LoadData(data), getSelf());
    getSender().tell(DurableStore.LoadAllCompleted$.MODULE$, getSelf());
  }

  private void store(DurableStore.Store store) {
    Object answer;
    try {
      write(store.key(), store.data());
      answer = store.reply().isDefined() ? store.reply().get().successMsg() : null;
    } catch (IOException | RuntimeException e) {
      getContext().getSystem().log().error(e, "cannot store {} in {}", store.key(), dir);
      answer = store.reply().isDefined() ? store.reply().get().failureMsg() : null;
    }
    if (store.reply().isDefined()) store.reply().get().replyTo().tell(answer, getSelf());
  }

  private DurableStore.DurableDataEnvelope read(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file); DataInputStream data = new DataInputStream(in)) {
      String manifest = data.readUTF();
      byte[] bytes = data.readAllBytes();
      return (DurableStore.DurableDataEnvelope) serializer.fromBinary(bytes, manifest);
    }
  }

  private void write(String key, DurableStore.DurableDataEnvelope envelope) throws IOException {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(buffer)) {
      out.writeUTF(serializer.manifest(envelope));
      out.write(serializer.toBinary(envelope));
    }
    Files.createDirectories(dir);
    Path target = dir.resolve(URLEncoder.encode(key, StandardCharsets.UTF_8) + SUFFIX);
    Path temp = dir.resolve(target.getFileName() + ".tmp");
    try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      channel.write(ByteBuffer.wrap(buffer.toByteArray()));
      channel.force(true);
    }
    Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static String keyOf(Path file) {
    String name = file.getFileName().toString();
    return URLDecoder.decode(name.substring(0, name.length() - SUFFIX.length()), StandardCharsets.UTF_8);
  }
}
