package com.example.shop;

/**
 * The README's product.
 *
 * @param id the id
 * @param name the name
 */
public record Product(long id, String name) {}
