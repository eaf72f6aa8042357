package io.reactivecache.memory;

import io.reactivecache.ValueType;
import java.lang.reflect.Array;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Tells whether a value held in memory can be handed out as a {@link ValueType}, type arguments included.
 *
 * <p>Memory hands back the very object that was written, so a value read with a type it does not have would fail
 * later, in the caller's code, with a {@link ClassCastException}: an {@code ArrayList} of integers read as
 * {@code List<String>} passes a raw-class check. Collections, maps, {@link Optional}s and arrays are therefore
 * checked element by element, recursively, following type arguments through subclasses ({@code class Names extends
 * ArrayList<String>}, {@code class Groups<E> extends AbstractList<List<E>>}). Other generic classes are checked by
 * their raw class only: their fields are not inspected. A type variable that cannot be resolved is checked by its
 * bound's raw class. So this check may let a wrong value through in those rare shapes, but never rejects a right
 * one.
 *
 * <p>The cost is linear in the size of the value; {@link Stored#holds} pays it once per holder and type.
 */
final class TypeCheck {
  private TypeCheck() {}

  static boolean conforms(Object value, ValueType<?> type) {
    // rawClass() is boxed, so ValueType.of(int.class) accepts an Integer; a Class has no arguments to check.
    return type.isInstance(value) && (type.type() instanceof Class<?> || argumentsConform(value, type.type()));
  }

  private static boolean conforms(@Nullable Object value, Type type) {
    if (value == null) {
      return true; // a null element casts to any type
    }
    if (type instanceof Class<?> c) {
      return c.isInstance(value);
    }
    if (type instanceof ParameterizedType p) {
      return ((Class<?>) p.getRawType()).isInstance(value) && argumentsConform(value, p);
    }
    if (type instanceof GenericArrayType array) {
      return erasure(array).isInstance(value)
          && allConform(Arrays.asList((Object[]) value), array.getGenericComponentType());
    }
    if (type instanceof WildcardType wildcard) {
      for (Type bound : wildcard.getUpperBounds()) {
        if (!conforms(value, bound)) {
          return false;
        }
      }
      return true;
    }
    // An unresolved type variable: what it stands for is unknown, but the caller's code casts to its erasure.
    // Only the erasure, not the bound's arguments: T extends List<T> over a list holding itself would not end.
    return erasure(type).isInstance(value);
  }

  private static boolean argumentsConform(Object value, Type type) {
    if (value instanceof Collection<?> collection) {
      return allConform(collection, argument(type, Collection.class, 0));
    }
    if (value instanceof Map<?, ?> map) {
      return allConform(map.keySet(), argument(type, Map.class, 0))
          && allConform(map.values(), argument(type, Map.class, 1));
    }
    if (value instanceof Optional<?> optional) {
      Type element = argument(type, Optional.class, 0);
      return element == null || optional.isEmpty() || conforms(optional.get(), element);
    }
    if (type instanceof GenericArrayType array) {
      return allConform(Arrays.asList((Object[]) value), array.getGenericComponentType());
    }
    return true;
  }

  private static boolean allConform(Collection<?> values, @Nullable Type element) {
    if (element == null || element == Object.class) {
      return true;
    }
    for (Object value : values) {
      if (!conforms(value, element)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Returns the type that {@code type} gives to parameter {@code index} of its supertype {@code target}, such as
   * {@code String} for {@code Collection}'s element in {@code ArrayList<String>}; null when it cannot be told (a raw
   * type).
   */
  private static @Nullable Type argument(Type type, Class<?> target, int index) {
    Class<?> raw = rawClass(type);
    if (raw == null) {
      return null;
    }
    if (raw == target) {
      return type instanceof ParameterizedType p ? p.getActualTypeArguments()[index] : null;
    }
    Type superclass = raw.getGenericSuperclass();
    for (Type supertype : supertypes(superclass, raw.getGenericInterfaces())) {
      Class<?> superRaw = rawClass(supertype);
      if (superRaw != null && target.isAssignableFrom(superRaw)) {
        Type found = argument(supertype, target, index);
        // found is written in raw's own type variables; put in the arguments type gives them.
        return found == null ? null : substitute(found, bindings(raw, type));
      }
    }
    return null;
  }

  private static Type[] supertypes(@Nullable Type superclass, Type[] interfaces) {
    if (superclass == null) {
      return interfaces;
    }
    Type[] all = Arrays.copyOf(interfaces, interfaces.length + 1);
    all[interfaces.length] = superclass;
    return all;
  }

  private static Map<TypeVariable<?>, Type> bindings(Class<?> raw, Type type) {
    Map<TypeVariable<?>, Type> bindings = new HashMap<>();
    if (type instanceof ParameterizedType p) {
      TypeVariable<?>[] variables = raw.getTypeParameters();
      Type[] arguments = p.getActualTypeArguments();
      for (int i = 0; i < variables.length && i < arguments.length; i++) {
        bindings.put(variables[i], arguments[i]);
      }
    }
    return bindings;
  }

  private static Type substitute(Type type, Map<TypeVariable<?>, Type> bindings) {
    if (type instanceof TypeVariable<?> variable) {
      return bindings.getOrDefault(variable, variable);
    }
    if (type instanceof ParameterizedType p) {
      Type[] arguments = p.getActualTypeArguments().clone();
      for (int i = 0; i < arguments.length; i++) {
        arguments[i] = substitute(arguments[i], bindings);
      }
      return new Parameterized((Class<?>) p.getRawType(), arguments, p.getOwnerType());
    }
    return type; // arrays and wildcards of variables stay unresolved, so they accept anything
  }

  /** The class a value of {@code type} is an instance of; a generic array's erasure is an array of references. */
  private static Class<?> erasure(Type type) {
    if (type instanceof Class<?> c) {
      return c;
    }
    if (type instanceof ParameterizedType p) {
      return (Class<?>) p.getRawType();
    }
    if (type instanceof GenericArrayType array) {
      return Array.newInstance(erasure(array.getGenericComponentType()), 0).getClass();
    }
    if (type instanceof WildcardType wildcard) {
      return erasure(wildcard.getUpperBounds()[0]);
    }
    if (type instanceof TypeVariable<?> variable) {
      return erasure(variable.getBounds()[0]);
    }
    return Object.class;
  }

  private static @Nullable Class<?> rawClass(Type type) {
    if (type instanceof Class<?> c) {
      return c;
    }
    if (type instanceof ParameterizedType p) {
      return (Class<?>) p.getRawType();
    }
    return null;
  }

  /** A parameterised type with its variables substituted; used only by this check, never compared. */
  private record Parameterized(Class<?> raw, Type[] arguments, @Nullable Type owner) implements ParameterizedType {
    @Override
    public Type[] getActualTypeArguments() {
      return arguments.clone();
    }

    @Override
    public Type getRawType() {
      return raw;
    }

    @Override
    public @Nullable Type getOwnerType() {
      return owner;
    }
  }
}
