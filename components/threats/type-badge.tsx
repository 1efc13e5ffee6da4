// The coloured label of an indicator type.
import type { IndicatorType } from '@/lib/indicators/types';
import { TYPE_LABELS } from '@/lib/threats/format';
import styles from './threats.module.css';

const COLOURS: Record<IndicatorType, string> = {
  ipv4: styles.net,
  ipv6: styles.net,
  cidr: styles.cidr,
  domain: styles.domain,
  url: styles.url,
  email: styles.email,
  md5: styles.hash,
  sha1: styles.hash,
  sha256: styles.hash,
  sha512: styles.hash,
};

export function TypeBadge({ type, className }: { type: IndicatorType; className?: string }) {
  return <span className={`${styles.badge} ${COLOURS[type]}${className ? ` ${className}` : ''}`}>{TYPE_LABELS[type]}</span>;
}
