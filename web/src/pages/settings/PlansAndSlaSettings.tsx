import { api, must } from '../../api/client.ts';
import { repoPath, type SectionProps, SectionStatus, useSectionData } from './common.tsx';
import { PlansList } from './PlansSettings.tsx';
import { ReleaseWindowsSettings } from './ReleaseWindowsSettings.tsx';
import { CalendarForm } from './CalendarSettings.tsx';
import { PolicyForm, SlaLists } from './SlaSettings.tsx';

/** Support plans and what they promise: SLA policies, the calendars they count in, and release windows. */
export function PlansAndSlaSettings({ repo }: SectionProps) {
  const view = useSectionData(async () => {
    const path = { params: { path: repoPath(repo) } };
    const [calendars, policies, plans, windows] = await Promise.all([
      must(api.GET('/api/v1/repos/{owner}/{name}/calendars', path)),
      must(api.GET('/api/v1/repos/{owner}/{name}/sla-policies', path)),
      must(api.GET('/api/v1/repos/{owner}/{name}/plans', path)),
      must(api.GET('/api/v1/repos/{owner}/{name}/release-windows', path)),
    ]);
    return { calendars: calendars.items, policies: policies.items, plans: plans.items, windows: windows.items };
  }, [repo.owner, repo.name]);
  const { data, changed } = view;
  return (
    <section aria-labelledby="plans-heading">
      <h2 id="plans-heading">Plans & SLA</h2>
      <SectionStatus section={view} />
      {data && (
        <>
          {/* A plan needs an SLA policy, and a policy in business hours needs a calendar: that order, top down. */}
          <SlaLists repo={repo} calendars={data.calendars} policies={data.policies} onChanged={changed} />
          {/* Emptied once a policy is added, not when a calendar is: that would throw away a policy half typed. */}
          <PolicyForm key={`policy-${data.policies.length}`} repo={repo} calendars={data.calendars} onChanged={changed} />
          <CalendarForm key={`calendar-${data.calendars.length}`} repo={repo} onChanged={changed} />
          <h3>Support plans</h3>
          <PlansList repo={repo} plans={data.plans} policies={data.policies} onChanged={changed} />
          <h3>Release windows</h3>
          <ReleaseWindowsSettings repo={repo} windows={data.windows} onChanged={changed} />
        </>
      )}
    </section>
  );
}
