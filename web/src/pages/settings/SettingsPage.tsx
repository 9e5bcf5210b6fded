import { api, must } from '../../api/client.ts';
import { RequireSignIn } from '../../components/RequireSignIn.tsx';
import { ErrorMessage, Loading, PageTitle, SubNav } from '../../components/ui.tsx';
import { Link } from '../../lib/router.tsx';
import { useLoad } from '../../lib/useLoad.ts';
import { ChannelsSettings } from './ChannelsSettings.tsx';
import { SECTIONS, settingsHref, VerificationBadge, type Section, type SectionProps } from './common.tsx';
import { ConsultingSettings } from './ConsultingSettings.tsx';
import { GeneralSettings } from './GeneralSettings.tsx';
import { HelpersSettings } from './HelpersSettings.tsx';
import { KnowledgeSettings } from './KnowledgeSettings.tsx';
import { OfferingsSettings } from './OfferingsSettings.tsx';
import { PlansAndSlaSettings } from './PlansAndSlaSettings.tsx';

const SECTION_PAGES: Record<Section, (props: SectionProps) => React.ReactNode> = {
  general: GeneralSettings,
  offerings: OfferingsSettings,
  helpers: HelpersSettings,
  knowledge: KnowledgeSettings,
  channels: ChannelsSettings,
  plans: PlansAndSlaSettings,
  consulting: ConsultingSettings,
};

export function SettingsPage(props: { owner: string; name: string; section?: string }) {
  return (
    <RequireSignIn>
      <Settings {...props} />
    </RequireSignIn>
  );
}

/** A repository's settings for its maintainers, one section per page under a sub-navigation. */
function Settings({ owner, name, section = 'general' }: { owner: string; name: string; section?: string }) {
  const fullName = `${owner}/${name}`;
  const repo = useLoad(() => must(api.GET('/api/v1/repos/{owner}/{name}', { params: { path: { owner, name } } })), [owner, name]);
  const known = SECTIONS.find(([key]) => key === section);
  const title = `Settings ${fullName}${known ? ` · ${known[1]}` : ''}`;
  const data = repo.data;
  if (!data) {
    return (
      <section>
        <PageTitle title={title}>Settings: {fullName}</PageTitle>
        <ErrorMessage error={repo.error} />
        {repo.loading && <Loading />}
      </section>
    );
  }
  // Anyone may read a verified repository; only its maintainers (and operators) get its settings.
  const maintainer = data.viewerRole !== null || data.demand !== null;
  const Page = known ? SECTION_PAGES[known[0]] : null;
  return (
    <section>
      <PageTitle title={title}>Settings: {data.fullName}</PageTitle>
      <p className="row">
        <VerificationBadge status={data.status} />
        <Link href={`/dashboard/${data.fullName}`}>Stats dashboard</Link>
        <Link href={`/s/${data.fullName}`}>Support site</Link>
      </p>
      {!maintainer ? (
        <ErrorMessage error={{ code: 'forbidden', message: `Only maintainers of ${data.fullName} may change its settings.` }} />
      ) : (
        <>
          <SubNav label="Settings" links={SECTIONS.map(([key, label]) => ({ href: settingsHref(data, key), text: label, current: key === known?.[0] }))} />
          {Page ? <Page repo={data} onRepoChange={repo.setData} /> : <ErrorMessage error={{ code: 'not_found', message: `There is no settings page "${section}".` }} />}
        </>
      )}
    </section>
  );
}
