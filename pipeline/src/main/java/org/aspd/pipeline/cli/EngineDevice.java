package org.aspd.pipeline.cli;

/** Where {@code aspd bench} and {@code aspd generate} run the decoding engine ({@code --device}). */
public enum EngineDevice { cpu, cuda }
