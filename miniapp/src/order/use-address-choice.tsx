import type { Address, AddressInput } from '@blindbox/shared';
import { Text, View } from '@tarojs/components';
import { useState } from 'react';
import { ApiError, describeError, invalidFields } from '../api/api-error';
import { api } from '../api/session';
import { AddressEntry } from '../components/address-entry';
import { AddressLines } from '../components/address-lines';
import { EMPTY_ADDRESS, addressErrors, addressErrorsFor, type AddressErrors } from '../lib/address-check';

/**
 * Which address an order goes to: one of the shopper's saved addresses, or a new one typed (H5) or chosen from
 * WeChat's address book, saved when it is used. The confirm page places an order with it; an unpaid order's page
 * changes its address with it.
 */
export function useAddressChoice() {
  const [addresses, setAddresses] = useState<Address[]>([]);
  const [addressId, setAddressId] = useState<string | null>(null);
  const [draft, setDraft] = useState<AddressInput>(EMPTY_ADDRESS);
  const [draftErrors, setDraftErrors] = useState<AddressErrors>({});

  return {
    /** The saved addresses, the first chosen unless one already is (`chosen`: the one to start from). */
    load(saved: Address[], chosen?: string) {
      setAddresses(saved);
      setAddressId((current) => current ?? chosen ?? saved[0]?.id ?? null);
    },

    /**
     * The chosen saved address, or the new one saved now (its fields checked first, errors shown per field);
     * null when it cannot be used yet. A failure other than the fields' goes to `onError`.
     */
    async addressToUse(onError: (message: string) => void): Promise<string | null> {
      if (addressId) return addressId;
      const errors = addressErrors(draft);
      setDraftErrors(errors);
      if (Object.keys(errors).length > 0) return null;
      try {
        const saved = await api.createAddress(draft);
        setAddresses((previous) => [...previous, saved]);
        setAddressId(saved.id);
        return saved.id;
      } catch (failure) {
        if (failure instanceof ApiError && failure.code === 'VALIDATION_ERROR') setDraftErrors(addressErrorsFor(invalidFields(failure)));
        else onError(describeError(failure));
        return null;
      }
    },

    view: (
      <>
        {addresses.map((address) => (
          <View
            key={address.id}
            className={`choice${addressId === address.id ? ' choice--active' : ''}`}
            data-testid="address-option"
            onClick={() => setAddressId(address.id)}
          >
            <AddressLines address={address} />
          </View>
        ))}
        {addressId === null ? (
          <AddressEntry
            value={draft}
            errors={draftErrors}
            onChange={(next) => {
              setDraft(next);
              setDraftErrors({});
            }}
          />
        ) : (
          <Text className="footer-bar__link" data-testid="address-add" onClick={() => setAddressId(null)}>
            + 使用新地址
          </Text>
        )}
      </>
    ),
  };
}
