package io.reactivecache.example.webflux;

import org.springframework.data.annotation.Id;
import org.springframework.data.relational.core.mapping.Table;

/**
 * A product of the catalog.
 *
 * @param id the id
 * @param name the name
 * @param priceCents the price in cents
 */
@Table("rc_example_product")
public record Product(@Id Long id, String name, long priceCents) {}
