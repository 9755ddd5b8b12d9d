package io.portcullis.store;

/**
 * One of a client's places for live access tokens ({@code maxLiveTokens}), taken by
 * {@link TokenStore#reserveLiveToken} for a token about to be issued: filled by
 * {@link TokenStore#saveReservedAccessToken}, or given back by {@link TokenStore#releaseLiveToken}.
 *
 * @param id what the store needs to find the reservation again (random; stores that count in
 *           memory ignore it)
 */
public record LiveTokenPlace(String clientId, String id) {}
