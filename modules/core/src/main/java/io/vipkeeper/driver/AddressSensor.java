package io.vipkeeper.driver;

import java.util.function.Consumer;

/** Listens on the interface for frames that say where addresses live (see {@link AddressSighting}). */
public interface AddressSensor extends AutoCloseable {

  /** A sensor that sees nothing: for drivers without a capture (fakes, unit tests). */
  AddressSensor NONE = new AddressSensor() {
    @Override
    public void start(Consumer<AddressSighting> listener) {}

    @Override
    public void close() {}
  };

  /** Starts delivering sightings to {@code listener}, on the sensor's own thread. */
  void start(Consumer<AddressSighting> listener);

  @Override
  void close();
}
