import type { Address } from '@blindbox/shared';
import { Text } from '@tarojs/components';

/** A saved address as a shopper reads it: who and which phone, then where. */
export function AddressLines({ address }: { address: Pick<Address, 'name' | 'phone' | 'region' | 'detail'> }) {
  return (
    <>
      <Text>
        {address.name} {address.phone}
      </Text>
      <Text className="muted">
        {address.region} {address.detail}
      </Text>
    </>
  );
}
