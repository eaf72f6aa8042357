package io.reactivecache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.ParameterizedType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link ValueType}: types come from the caller, generic ones captured by an anonymous subclass. */
class ValueTypeTest {

  @Test
  void classTypeChecksInstances() {
    ValueType<String> type = ValueType.of(String.class);
    assertThat(type.rawClass()).isEqualTo(String.class);
    assertThat(type.type()).isEqualTo(String.class);
    assertThat(type.isInstance("x")).isTrue();
    assertThat(type.isInstance(1)).isFalse();
    assertThat(type.isInstance(null)).isFalse();
    assertThat(type.cast("x")).isEqualTo("x");
    assertThat(type.toString()).isEqualTo("java.lang.String");
  }

  @Test
  void primitiveClassesStandForTheirWrappers() {
    assertThat(ValueType.of(int.class).rawClass()).isEqualTo(Integer.class);
    assertThat(ValueType.of(int.class).isInstance(3)).isTrue();
    assertThat(ValueType.of(long.class).isInstance(3)).isFalse();
    assertThat(ValueType.of(boolean.class).rawClass()).isEqualTo(Boolean.class);
    assertThat(ValueType.of(char.class).rawClass()).isEqualTo(Character.class);
    assertThat(ValueType.of(double.class).rawClass()).isEqualTo(Double.class);
  }

  @Test
  void genericTypeIsCapturedWithItsArguments() {
    ValueType<List<String>> type = new ValueType<List<String>>() {};
    assertThat(type.rawClass()).isEqualTo(List.class);
    assertThat(type.type()).isInstanceOf(ParameterizedType.class);
    assertThat(((ParameterizedType) type.type()).getActualTypeArguments()).containsExactly(String.class);
    assertThat(type.isInstance(new ArrayList<>())).isTrue();
    assertThat(type.isInstance(Map.of())).isFalse();
    assertThat(type.toString()).isEqualTo("java.util.List<java.lang.String>");
  }

  @Test
  void equalTypesAreEqualWhateverCapturedThem() {
    assertThat(new ValueType<List<String>>() {}).isEqualTo(new ValueType<List<String>>() {})
        .hasSameHashCodeAs(new ValueType<List<String>>() {});
    assertThat(new ValueType<List<String>>() {}).isNotEqualTo(new ValueType<List<Integer>>() {});
    assertThat(ValueType.of(String.class)).isEqualTo(new ValueType<String>() {});
    assertThat(ValueType.ofType(String.class)).isEqualTo(ValueType.of(String.class));
    assertThat(ValueType.of(Integer.class)).isNotEqualTo(ValueType.of(String.class));
  }

  @Test
  void arrayTypes() {
    assertThat(ValueType.of(String[].class).isInstance(new String[0])).isTrue();
    ValueType<List<String>[]> genericArray = new ValueType<List<String>[]>() {};
    assertThat(genericArray.rawClass()).isEqualTo(List[].class);
  }

  @Test
  void wildcardUsesItsUpperBound() {
    ValueType<List<? extends Number>> type = new ValueType<List<? extends Number>>() {};
    assertThat(type.rawClass()).isEqualTo(List.class);
    ParameterizedType parameterized = (ParameterizedType) type.type();
    assertThat(ValueType.ofType(parameterized.getActualTypeArguments()[0]).rawClass()).isEqualTo(Number.class);
  }

  @Test
  @SuppressWarnings({"rawtypes", "unchecked"})
  void captureWithoutATypeArgumentIsRefused() {
    assertThatThrownBy(() -> new ValueType() {}).isInstanceOf(CacheConfigurationException.class)
        .hasMessageContaining("type argument");
  }

  private static <X> ValueType<X> captureTypeVariable() {
    return new ValueType<X>() {};
  }

  @Test
  void typeVariableIsRefused() {
    assertThatThrownBy(ValueTypeTest::captureTypeVariable).isInstanceOf(CacheConfigurationException.class)
        .hasMessageContaining("type variable").hasMessageContaining("'X'");
  }

  @Test
  void voidAndNullAreRefused() {
    assertThatThrownBy(() -> ValueType.of(void.class)).isInstanceOf(CacheConfigurationException.class)
        .hasMessageContaining("void");
    // A configuration error naming the option, not a NullPointerException (row 23).
    assertThatThrownBy(() -> ValueType.of(null)).isInstanceOf(CacheConfigurationException.class)
        .hasMessageContaining("'type'");
    assertThatThrownBy(() -> ValueType.ofType(null)).isInstanceOf(CacheConfigurationException.class)
        .hasMessageContaining("'type'");
  }
}
