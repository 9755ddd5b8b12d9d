package io.portcullis.store;

import io.portcullis.config.StoreSettings;

/** The store contract, on this node's memory. */
class CaffeineTokenStoreContractTest extends TokenStoreContract {

  @Override
  protected TokenStore newStore() {
    return new CaffeineTokenStore(StoreSettings.defaults(), clock);
  }
}
