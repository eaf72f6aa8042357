package io.reactivecache;

import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;

/**
 * The type a caller expects a cached value to have. The type always comes from the caller, never from stored
 * data: backends use it to decode (Redis) or to check (memory) what they hold.
 *
 * <p>For a plain class use {@link #of(Class)}; for a generic type, capture it with an anonymous subclass:
 * <pre>{@code
 * ValueType<List<User>> users = new ValueType<List<User>>() {};
 * }</pre>
 *
 * <p>A value that is not an instance of the type's raw class is a miss, never a {@link ClassCastException}.
 * Type arguments cannot be checked on an object in memory; a backend that decodes (Redis) honours them fully.
 *
 * @param <T> the value's type
 */
public abstract class ValueType<T> {
  private final Type type;
  private final Class<?> rawClass;

  /** Captures the type argument of an anonymous subclass: {@code new ValueType<List<User>>() {}}. */
  protected ValueType() {
    Type superclass = getClass().getGenericSuperclass();
    if (!(superclass instanceof ParameterizedType)) {
      throw new CacheConfigurationException(
          "ValueType must be created with a type argument, as in new ValueType<List<User>>() {}");
    }
    this.type = ((ParameterizedType) superclass).getActualTypeArguments()[0];
    this.rawClass = boxed(rawClassOf(type));
  }

  private ValueType(Type type) {
    this.type = type;
    this.rawClass = boxed(rawClassOf(type));
  }

  /**
   * Returns the value type of a class.
   *
   * @param type the class; primitive classes stand for their wrapper
   * @param <T> the value's type
   * @return the value type
   */
  public static <T> ValueType<T> of(Class<T> type) {
    requireType(type);
    return new ValueType<>(type) {};
  }

  /**
   * Returns the value type of a reflective {@link Type} (for frameworks that hold one). The caller vouches that
   * {@code T} matches {@code type}.
   *
   * @param type a class or parameterized type
   * @param <T> the value's type
   * @return the value type
   */
  public static <T> ValueType<T> ofType(Type type) {
    requireType(type);
    return new ValueType<T>(type) {};
  }

  /**
   * Returns the full type, type arguments included.
   *
   * @return the type
   */
  public Type type() {
    return type;
  }

  /**
   * Returns the raw class of the type (the wrapper class for a primitive).
   *
   * @return the raw class
   */
  public Class<?> rawClass() {
    return rawClass;
  }

  /**
   * Tells whether a value can be returned as this type (an instance of the raw class).
   *
   * @param value the value
   * @return true if it is an instance of {@link #rawClass()}
   */
  public boolean isInstance(Object value) {
    return rawClass.isInstance(value);
  }

  /**
   * Casts a value already checked with {@link #isInstance(Object)}.
   *
   * @param value the value
   * @return the value, as {@code T}
   */
  @SuppressWarnings("unchecked")
  public T cast(Object value) {
    return (T) rawClass.cast(value);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ValueType<?> && ((ValueType<?>) other).type.equals(type);
  }

  @Override
  public int hashCode() {
    return type.hashCode();
  }

  @Override
  public String toString() {
    return type.getTypeName();
  }

  private static Class<?> rawClassOf(Type type) {
    if (type instanceof Class<?>) {
      return (Class<?>) type;
    }
    if (type instanceof ParameterizedType) {
      return (Class<?>) ((ParameterizedType) type).getRawType();
    }
    if (type instanceof GenericArrayType) {
      Class<?> component = rawClassOf(((GenericArrayType) type).getGenericComponentType());
      return java.lang.reflect.Array.newInstance(component, 0).getClass();
    }
    if (type instanceof WildcardType) {
      return rawClassOf(((WildcardType) type).getUpperBounds()[0]);
    }
    if (type instanceof TypeVariable<?>) {
      throw new CacheConfigurationException("ValueType cannot be built from the type variable '" + type
          + "': give a concrete type, as in new ValueType<List<User>>() {}");
    }
    throw new CacheConfigurationException("Unsupported type for ValueType: " + type);
  }

  private static Class<?> boxed(Class<?> type) {
    if (!type.isPrimitive()) {
      return type;
    }
    if (type == int.class) return Integer.class;
    if (type == long.class) return Long.class;
    if (type == boolean.class) return Boolean.class;
    if (type == double.class) return Double.class;
    if (type == float.class) return Float.class;
    if (type == short.class) return Short.class;
    if (type == byte.class) return Byte.class;
    if (type == char.class) return Character.class;
    throw new CacheConfigurationException("ValueType cannot stand for void");
  }

  private static void requireType(@org.jspecify.annotations.Nullable Type type) {
    if (type == null) {
      throw CacheConfigurationException.invalid("type", "null", "the class or type of the values");
    }
  }
}
