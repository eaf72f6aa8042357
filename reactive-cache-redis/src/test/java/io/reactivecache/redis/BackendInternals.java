package io.reactivecache.redis;

import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;

/** What tests in other packages may see of a backend's internals: only what a fault needs to be aimed. */
public final class BackendInternals {
  private BackendInternals() {}

  /**
   * The backend's open cluster connection.
   *
   * @param backend a cluster backend that has connected (made a call)
   * @return its connection
   */
  @SuppressWarnings("unchecked")
  public static StatefulRedisClusterConnection<String, byte[]> clusterConnection(RedisCacheBackend backend) {
    Object connection = backend.openConnection();
    if (!(connection instanceof StatefulRedisClusterConnection<?, ?> cluster)) {
      throw new IllegalStateException("not a connected cluster backend: " + backend);
    }
    return (StatefulRedisClusterConnection<String, byte[]>) cluster;
  }
}
