export * from './application.entity';
export * from './application-material.entity';
export * from './application-decision.entity';
export * from './application-step.entity';
export * from './application-timeline.entity';
export * from './calendar-override.entity';

import { ApplicationEntity } from './application.entity';
import { ApplicationMaterialEntity } from './application-material.entity';
import { ApplicationDecisionEntity } from './application-decision.entity';
import { ApplicationStepEntity } from './application-step.entity';
import { ApplicationTimelineEntity } from './application-timeline.entity';
import { CalendarOverrideEntity } from './calendar-override.entity';

export const WORKFLOW_ENTITIES = [ApplicationEntity, ApplicationMaterialEntity, ApplicationDecisionEntity, ApplicationStepEntity, ApplicationTimelineEntity, CalendarOverrideEntity];
